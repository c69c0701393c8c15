package org.headroom.lease.sanlock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.headroom.lease.sanlock.internal.NativeSanlock;

/**
 * The sanlock daemon of this host, through libsanlock_client.so.1. One process talks to one
 * daemon: the one at {@code $SANLOCK_RUN_DIR} (default /run/sanlock), which the library reads
 * once, at its first call.
 *
 * <p>Every call has a bound ({@link CallBounds}); past it, {@link SanlockException.Timeout}.
 * sanlock itself can block for long in two places, and the methods here take the forms that do
 * not:
 * <ul>
 *   <li>a join (add_lockspace) takes 2 to 5 io timeouts (3 s at io 1), and the io timeout plus
 *       the watchdog's fire timeout more (about 70 s at io 1, VDSM: 140 to 210 s) if the host id
 *       was left uncleanly under another host name. {@link #addLockspace} starts it and returns;
 *       {@link #inqLockspace} tells when it is done; {@link #joinLockspace} does both with a
 *       deadline.</li>
 *   <li>an acquire of a lease whose holder's host stopped renewing waits until that host is dead
 *       (the same 70 s or more) unless OWNER_NOWAIT: see {@link Registration#acquire}.</li>
 * </ul>
 * Everything else takes a few I/Os on the lease area (each bounded by the io timeout), or none.
 */
public interface Sanlock extends AutoCloseable {
    /**
     * Loads libsanlock_client.so.1 and starts the binding's call threads; talks to no daemon yet.
     *
     * @throws IllegalStateException the library cannot be loaded
     */
    static Sanlock open(CallBounds bounds) {
        return NativeSanlock.open(bounds);
    }

    /** The daemon's socket this process talks to. */
    Path socket();

    /** The daemon's version; also: is a daemon there ({@link SanlockException.Unreachable} if not). */
    SanlockVersion version();

    /**
     * A registered connection to the daemon, which owns the leases acquired on it and releases
     * them when closed (or when this process dies).
     *
     * @param ownerName shown for this process by {@code sanlock client status}: 1 to 48 bytes
     */
    Registration register(String ownerName);

    /** What a return code means: sanlock's words for its own codes, libc's for -errno. */
    String strerror(int code);

    // --- lockspace and lease areas on disk (the daemon does the I/O, bounded by io)

    /**
     * Formats a lockspace area: {@code maxHosts} delta leases (0: as many as the geometry holds),
     * recording {@code ioTimeoutSeconds} for the hosts that join it. Its name is the lockspace's
     * name; its host id is not used.
     */
    void writeLockspace(Lockspace lockspace, Geometry geometry, int maxHosts, int ioTimeoutSeconds);

    /** Reads the lockspace area at {@code disk} (its geometry is read from it). */
    LockspaceOnDisk readLockspace(Disk disk);

    /** Formats a lease area for {@code lease} (its version 0: free); {@code maxHosts} 0 for the geometry's. */
    void writeResource(Resource lease, Geometry geometry, int maxHosts);

    /** Reads the lease area at {@code disk} (its geometry is read from it). */
    ResourceOnDisk readResource(Disk disk);

    /** Who holds {@code lease}, read from its area: works on any host, joined or not. */
    ResourceOwners readResourceOwners(Resource lease);

    /** The alignment sanlock uses by default on {@code disk}, in bytes (1 MiB for 512-byte sectors). */
    long align(Disk disk);

    // --- lockspaces of this host

    /**
     * Starts joining {@code lockspace} with this host's id (add_lockspace with ADD_ASYNC) and
     * returns at once; {@link #inqLockspace} says when it is joined, or ABSENT if the join failed
     * (why, only sanlock's log says). {@code ioTimeoutSeconds}: the
     * renewal io timeout (0: the daemon's {@code -o}). Refused with {@link SanlockException.Exists}
     * if joined already, {@link SanlockException.InProgress} if being joined,
     * {@link SanlockException.Invalid} if the name is joined with another host id (one host id per
     * lockspace per daemon) or the disk under another name.
     */
    void addLockspace(Lockspace lockspace, int ioTimeoutSeconds);

    /**
     * Joins {@code lockspace} and waits until it is joined, at most {@code deadline}: the waiting
     * add_lockspace (already joined is fine), on one of the binding's call threads, which it holds
     * until the join ends even past the deadline. To join many lockspaces at once, use
     * {@link #addLockspace} and {@link #inqLockspace} instead.
     *
     * @throws SanlockException.Timeout    the join goes on past the deadline (it may still end
     *                                     joined: leave it, or wait more)
     * @throws SanlockException.HostIdBusy another host renews this host id (after the full delay)
     * @throws SanlockException.Invalid    the name is joined with another host id, or the disk under
     *                                     another name
     */
    void joinLockspace(Lockspace lockspace, int ioTimeoutSeconds, Duration deadline);

    /** Where {@code lockspace} stands on this host, at once (inq_lockspace). */
    LockspaceState inqLockspace(Lockspace lockspace);

    /**
     * Waits until {@code lockspace} is no longer being joined or left, at most {@code bound}
     * (inq_lockspace with INQ_WAIT: the daemon checks once a second).
     */
    LockspaceState awaitLockspace(Lockspace lockspace, Duration bound);

    /**
     * Leaves {@code lockspace} (rem_lockspace). Without {@link RemoveFlag#UNUSED} the daemon
     * SIGKILLs every process holding a lease in it, this one included. Without
     * {@link RemoveFlag#ASYNC} the call returns when the delta lease is released (about 2 io
     * timeouts), within the io bound.
     *
     * @throws SanlockException.Busy       UNUSED, and leases are held in it
     * @throws SanlockException.NotFound   not joined
     * @throws SanlockException.InProgress being left already
     */
    void remLockspace(Lockspace lockspace, Set<RemoveFlag> flags);

    /**
     * Leaves {@code lockspace} if no lease is held in it and waits until it is left, at most
     * {@code deadline}: rem_lockspace with UNUSED and ASYNC (not joined is fine), then
     * {@link #inqLockspace} every 100 ms until ABSENT. The daemon still says JOINED for up to a
     * second after the rem, then IN_PROGRESS; leaving takes about 2 io timeouts.
     *
     * @throws SanlockException.Busy    leases are held in it
     * @throws SanlockException.Timeout it is still being left at the deadline
     */
    void leaveLockspace(Lockspace lockspace, Duration deadline);

    /** The lockspaces of this host's daemon (get_lockspaces), those being joined or left included. */
    List<LockspaceInfo> lockspaces();

    /**
     * The hosts of {@code lockspace} this host's daemon has seen renewing, with their states.
     *
     * @throws SanlockException.NotFound not joined
     * @throws SanlockException.Again    joined so recently that the daemon has not looked at the
     *                                   other hosts yet (until its first renewal, 2 io timeouts):
     *                                   nothing is known of them, so assume their leases held
     */
    List<Host> hosts(String lockspace);

    /**
     * One host of {@code lockspace}: a host id never seen comes FREE, generation 0; none past
     * the lockspace's host ids.
     *
     * @throws SanlockException.Again as {@link #hosts}
     */
    Optional<Host> host(String lockspace, long hostId);

    /**
     * Asks the holder of {@code lease} to give it up (request): the holder's daemon sees the
     * request at its next renewal (within 2 io timeouts) and does what {@code mode} says to the
     * holding process. This host must have joined the lease's lockspace.
     *
     * @param version the version the request is for: the holder's version + 1
     *                ({@link #readResourceOwners}); 0 lets the daemon take the current one + 1
     *                (REQUEST_NEXT_LVER, racy when several hosts request at once)
     * @throws SanlockException.VersionMismatch the lease is past {@code version} already
     */
    void request(Resource lease, long version, ForceMode mode);

    /** Stops the call threads. Registrations must be closed first. */
    @Override
    void close();

    /** How rem_lockspace leaves. */
    enum RemoveFlag {
        /** Return at once (SANLK_REM_ASYNC); {@link #inqLockspace} says when it is left. */
        ASYNC,
        /** Leave only if no lease is held in it, instead of killing the holders (SANLK_REM_UNUSED). */
        UNUSED
    }
}
