package org.headroom.lease.sanlock;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A registered connection to the daemon (sanlock_register): the leases acquired on it are this
 * process's, and closing it releases them (the daemon does so when it sees the socket close, also
 * when the process dies; a persistent lease becomes an orphan instead).
 *
 * <p>The daemon serves one call at a time on a registration and answers a concurrent one with
 * -EBUSY; so the methods here take turns, and one that cannot get its turn within the io bound
 * fails with {@link SanlockException.Busy}. A call that does not return within its bound leaves
 * the registration broken: it is shut down at once, which releases its leases, and every later
 * call fails with {@link SanlockException.Unreachable}. get_lvb and set_lvb go over a connection
 * of their own, but take their turn too, so that no release slips between a set and its release.
 */
public interface Registration extends AutoCloseable {
    /** The connection's file descriptor in this process. */
    int fd();

    /**
     * Acquires {@code leases} (at most 8) at once, or none of them, without waiting for an owner
     * whose host stopped renewing (OWNER_NOWAIT): a free lease takes a few I/Os (at most 6 io
     * timeouts), a held one fails within about a second.
     *
     * @throws SanlockException.Held       another live host holds one
     * @throws SanlockException.OwnerRetry its holder's host stopped renewing and is not dead yet:
     *                                     retry once {@link Sanlock#host} says DEAD
     * @throws SanlockException.Exists     this host holds it already
     * @throws SanlockException.NotJoined  its lockspace is not joined here
     * @throws SanlockException.NotFound   ORPHAN_ONLY, and it is no orphan
     */
    void acquire(List<Resource> leases, Set<AcquireFlag> flags);

    /** {@link #acquire(List, Set)} of one lease. */
    void acquire(Resource lease, AcquireFlag... flags);

    /**
     * Acquires {@code leases} waiting out a holder whose host stopped renewing, as sanlock does
     * without OWNER_NOWAIT: up to the host's death (8 io timeouts + the watchdog's fire timeout
     * after its last renewal: about 70 s at io 1, 140 to 210 s at io 10). Past {@code bound} this
     * registration is broken (see above), its other leases released with it: prefer
     * {@link #acquire} and a retry when the holder is DEAD, or a registration of its own.
     */
    void acquireWaiting(List<Resource> leases, Set<AcquireFlag> flags, Duration bound);

    /**
     * Releases {@code leases} (a lease's LVB, if set, is written now).
     *
     * @throws SanlockException.NotFound one of them is not held on this registration
     */
    void release(List<Resource> leases);

    /** {@link #release(List)} of one lease. */
    void release(Resource lease);

    /** Releases every lease held on this registration (SANLK_REL_ALL). */
    void releaseAll();

    /** Releases this host's orphan {@code lease} of a process gone (SANLK_REL_ORPHAN), without adopting it. */
    void releaseOrphan(Resource lease);

    /** The leases held on this registration, with the versions held (inquire). */
    List<Resource> inquire();

    /**
     * The first {@code size} bytes of {@code lease}'s value block, as read from disk when it was
     * acquired with {@link AcquireFlag#LVB}, or as set since. The block is one sector (512 or 4096
     * bytes); asking more gives zeros past it.
     */
    byte[] getLvb(Resource lease, int size);

    /**
     * Sets {@code lease}'s value block, at most one sector. It reaches the disk only when the lease
     * is released cleanly: a crash before loses it.
     */
    void setLvb(Resource lease, byte[] value);

    /**
     * Has the daemon run {@code program} (with {@code args}, and this process's pid appended when
     * {@code appendPid}) instead of SIGTERM, when this process must give its leases up: a graceful
     * request, or its lockspace failing (within the daemon's kill grace, 40 s by default).
     * Each at most 127 bytes.
     */
    void killpath(String program, String args, boolean appendPid);

    /** Whether a call outlived its bound and shut the connection down. */
    boolean broken();

    /** Closes the connection: the daemon releases every lease held on it. */
    @Override
    void close();
}
