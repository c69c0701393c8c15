package org.headroom.lease.sanlock;

/**
 * A sanlock call that failed: which call, sanlock's return code (-errno from -1 to -199, sanlock's
 * own below -200) and its name ({@code EBUSY}, {@code ACQUIRE_IDLIVE}, ...). One subclass per
 * class of failure a caller acts on; what each code means depends on the call, as each class says.
 * Codes of no class a caller acts on (an I/O error in a lease's leader record, -ESRCH, ...) come
 * as this class itself.
 */
public class SanlockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int code;
    private final String codeName;

    public SanlockException(String call, int code, String codeName, String detail) {
        super(call + ": " + codeName + " (" + code + ")" + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.code = code;
        this.codeName = codeName;
    }

    /** The sanlock call, as in its C name without {@code sanlock_} (acquire, add_lockspace, ...). */
    public String call() {
        return call;
    }

    /** sanlock's return code, negative. */
    public int code() {
        return code;
    }

    /** The name of {@link #code()}: an errno name, or sanlock's without {@code SANLK_}. */
    public String codeName() {
        return codeName;
    }

    /**
     * -EEXIST. acquire: this host holds the lease already. add_lockspace: already joined, same
     * host id and disk. Also -EUCLEAN from acquire: the lease is this host's orphan (adopt it with
     * ORPHAN), or an orphan of the other mode (shared, exclusive).
     */
    public static final class Exists extends SanlockException {
        private static final long serialVersionUID = 1L;

        public Exists(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * -EBUSY. acquire: another acquire of the lease is under way on this host, or the registration
     * is busy with another call (the binding serializes a registration's calls, and reports a wait
     * for one longer than its bound as this too). rem_lockspace with UNUSED: leases are held in it.
     */
    public static final class Busy extends SanlockException {
        private static final long serialVersionUID = 1L;

        public Busy(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * -EAGAIN. acquire: the lease is being released on this host, or another live host holds it
     * shared and this acquire is exclusive (sanlock takes the lease, finds the shared holder and
     * gives it back). add_lockspace: the lockspace is being left. get_hosts: just joined. Retry.
     */
    public static final class Again extends SanlockException {
        private static final long serialVersionUID = 1L;

        public Again(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * The lease's lockspace is not joined on this host, or it is failing and its holders are being
     * killed: -ENOSPC from acquire and request, -241 ACQUIRE_LOCKSPACE.
     */
    public static final class NotJoined extends SanlockException {
        private static final long serialVersionUID = 1L;

        public NotJoined(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /** -EINPROGRESS: the lockspace is being joined or left already. */
    public static final class InProgress extends SanlockException {
        private static final long serialVersionUID = 1L;

        public InProgress(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * Not there: -ENOENT (no such lockspace; acquire with ORPHAN_ONLY: no such orphan; get/set_lvb:
     * not held on this host), -ENODEV (the disk cannot be opened), and release's -1 (not held by
     * this registration).
     */
    public static final class NotFound extends SanlockException {
        private static final long serialVersionUID = 1L;

        public NotFound(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * The request does not fit: -EINVAL (add_lockspace: the name is joined with another host id, or
     * the disk under another name; get/set_lvb: acquired without LVB), -E2BIG (an LVB larger than a
     * sector), -ERANGE, -230 ADDLS_SIZES, -231 ADDLS_INVALID_HOSTID (a host id past the area's).
     */
    public static final class Invalid extends SanlockException {
        private static final long serialVersionUID = 1L;

        public Invalid(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * Another host holds the lease, and it is alive: -243 ACQUIRE_IDLIVE, -244 ACQUIRE_OWNED,
     * -245 ACQUIRE_OTHER (another host won the ballot), -246 ACQUIRE_SHRETRY (shared vs exclusive).
     */
    public static final class Held extends SanlockException {
        private static final long serialVersionUID = 1L;

        public Held(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * -247 ACQUIRE_OWNED_RETRY: the lease's owner stopped renewing but is not yet dead (OWNER_NOWAIT
     * declined to wait it out). Retry once get_hosts shows the owner DEAD: the daemon counts from
     * the last renewal it saw, so that acquire succeeds at once.
     */
    public static final class OwnerRetry extends SanlockException {
        private static final long serialVersionUID = 1L;

        public OwnerRetry(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /** -262 HOSTID_BUSY: another host renews this host id (a join ends with this after the full delay). */
    public static final class HostIdBusy extends SanlockException {
        private static final long serialVersionUID = 1L;

        public HostIdBusy(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * The lease's version is not the one the call names: -240 ACQUIRE_LVER, -250 RELEASE_LVER,
     * -272 REQUEST_OLD (the lease is already past the requested version), -273 REQUEST_LVER.
     */
    public static final class VersionMismatch extends SanlockException {
        private static final long serialVersionUID = 1L;

        public VersionMismatch(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * The lease or lockspace area could not be read, written or understood: -202 AIO_TIMEOUT,
     * -210..-214 (DBLOCK_*), -220..-229 (LEADER_*: e.g. -223 LEADER_MAGIC, no lease written there),
     * -242 ACQUIRE_IDDISK, -270/-271 REQUEST_MAGIC/VERSION, -274..-278 RINDEX_*.
     */
    public static final class Storage extends SanlockException {
        private static final long serialVersionUID = 1L;

        public Storage(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * No daemon answers: no socket at {@code $SANLOCK_RUN_DIR/sanlock.sock} (-ENOENT), nobody
     * listening (-ECONNREFUSED), the connection dropped (-EPIPE, -ECONNRESET, -ENOTCONN, -1), or a
     * registration broken by an earlier call that outlived its bound.
     */
    public static final class Unreachable extends SanlockException {
        private static final long serialVersionUID = 1L;

        public Unreachable(String call, int code, String codeName, String detail) {
            super(call, code, codeName, detail);
        }
    }

    /**
     * The call did not return within its bound (the binding's, -ETIMEDOUT). If it had
     * {@link #started()}, the daemon may still carry it out; a registration whose call started is
     * broken: it is shut down, so its leases are released.
     */
    public static final class Timeout extends SanlockException {
        private static final long serialVersionUID = 1L;

        private final boolean started;

        public Timeout(String call, int code, String codeName, String detail, boolean started) {
            super(call, code, codeName, detail);
            this.started = started;
        }

        /** Whether the call had reached the daemon (false: it waited for a call thread and never ran). */
        public boolean started() {
            return started;
        }
    }
}
