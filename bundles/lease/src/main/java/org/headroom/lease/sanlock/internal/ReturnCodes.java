package org.headroom.lease.sanlock.internal;

import java.util.Map;
import org.headroom.lease.sanlock.SanlockException;

/**
 * sanlock's return codes (sanlock_rv.h, and -errno above -200): their names, and the exception
 * class each one belongs to.
 */
public final class ReturnCodes {
    public static final int EPERM = -1;
    public static final int ENOENT = -2;
    public static final int ENODEV = -19;
    public static final int EAGAIN = -11;
    public static final int EBUSY = -16;
    public static final int EEXIST = -17;
    public static final int EINVAL = -22;
    public static final int ENOSPC = -28;
    public static final int ETIMEDOUT = -110;
    public static final int EUCLEAN = -117;
    public static final int ECONNREFUSED = -111;
    public static final int EINPROGRESS = -115;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(-1, "EPERM"), Map.entry(-2, "ENOENT"), Map.entry(-3, "ESRCH"), Map.entry(-4, "EINTR"),
            Map.entry(-5, "EIO"), Map.entry(-6, "ENXIO"), Map.entry(-7, "E2BIG"), Map.entry(-9, "EBADF"),
            Map.entry(-11, "EAGAIN"), Map.entry(-12, "ENOMEM"), Map.entry(-13, "EACCES"), Map.entry(-14, "EFAULT"),
            Map.entry(-16, "EBUSY"), Map.entry(-17, "EEXIST"), Map.entry(-19, "ENODEV"), Map.entry(-22, "EINVAL"),
            Map.entry(-28, "ENOSPC"), Map.entry(-32, "EPIPE"), Map.entry(-34, "ERANGE"), Map.entry(-79, "ELIBACC"),
            Map.entry(-80, "ELIBBAD"), Map.entry(-81, "ELIBSCN"), Map.entry(-90, "EMSGSIZE"), Map.entry(-95, "EOPNOTSUPP"),
            Map.entry(-104, "ECONNRESET"), Map.entry(-107, "ENOTCONN"), Map.entry(-110, "ETIMEDOUT"),
            Map.entry(-111, "ECONNREFUSED"), Map.entry(-114, "EALREADY"), Map.entry(-115, "EINPROGRESS"),
            Map.entry(-116, "ESTALE"), Map.entry(-117, "EUCLEAN"),
            Map.entry(-201, "ERROR"), Map.entry(-202, "AIO_TIMEOUT"), Map.entry(-203, "WD_ERROR"),
            Map.entry(-210, "DBLOCK_READ"), Map.entry(-211, "DBLOCK_WRITE"), Map.entry(-212, "DBLOCK_LVER"),
            Map.entry(-213, "DBLOCK_MBAL"), Map.entry(-214, "DBLOCK_CHECKSUM"),
            Map.entry(-220, "LEADER_READ"), Map.entry(-221, "LEADER_WRITE"), Map.entry(-222, "LEADER_DIFF"),
            Map.entry(-223, "LEADER_MAGIC"), Map.entry(-224, "LEADER_VERSION"), Map.entry(-225, "LEADER_SECTORSIZE"),
            Map.entry(-226, "LEADER_LOCKSPACE"), Map.entry(-227, "LEADER_RESOURCE"), Map.entry(-228, "LEADER_NUMHOSTS"),
            Map.entry(-229, "LEADER_CHECKSUM"), Map.entry(-230, "ADDLS_SIZES"), Map.entry(-231, "ADDLS_INVALID_HOSTID"),
            Map.entry(-240, "ACQUIRE_LVER"), Map.entry(-241, "ACQUIRE_LOCKSPACE"), Map.entry(-242, "ACQUIRE_IDDISK"),
            Map.entry(-243, "ACQUIRE_IDLIVE"), Map.entry(-244, "ACQUIRE_OWNED"), Map.entry(-245, "ACQUIRE_OTHER"),
            Map.entry(-246, "ACQUIRE_SHRETRY"), Map.entry(-247, "ACQUIRE_OWNED_RETRY"),
            Map.entry(-250, "RELEASE_LVER"), Map.entry(-251, "RELEASE_OWNER"),
            Map.entry(-260, "RENEW_OWNER"), Map.entry(-261, "RENEW_DIFF"), Map.entry(-262, "HOSTID_BUSY"),
            Map.entry(-270, "REQUEST_MAGIC"), Map.entry(-271, "REQUEST_VERSION"), Map.entry(-272, "REQUEST_OLD"),
            Map.entry(-273, "REQUEST_LVER"), Map.entry(-274, "RINDEX_MAGIC"), Map.entry(-275, "RINDEX_VERSION"),
            Map.entry(-276, "RINDEX_LOCKSPACE"), Map.entry(-277, "RINDEX_OFFSET"), Map.entry(-278, "RINDEX_DIFF"));

    private ReturnCodes() {
    }

    /** The code's name: an errno name, sanlock's name without SANLK_, or the number. */
    public static String name(int code) {
        String n = NAMES.get(code);
        return n != null ? n : Integer.toString(code);
    }

    /** Whether sanlock, not errno, defines the code (sanlock_strerror describes only these). */
    public static boolean sanlocks(int code) {
        return code <= -200;
    }

    /**
     * The exception for {@code code} from {@code call}.
     *
     * @param description  what the code means (sanlock_strerror or strerror)
     * @param context      what the call was about (the lease, the lockspace), or empty
     * @param daemonSocket whether the daemon's socket exists: without it, -ENOENT means no daemon
     */
    public static SanlockException exception(String call, int code, String description, String context, boolean daemonSocket) {
        String name = name(code);
        String detail = description + (context.isEmpty() ? "" : "; " + context);
        switch (code) {
            case EEXIST, EUCLEAN:
                return new SanlockException.Exists(call, code, name, detail);
            case EBUSY:
                return new SanlockException.Busy(call, code, name, detail);
            case EAGAIN:
                return new SanlockException.Again(call, code, name, detail);
            case ENOSPC, -241:
                return new SanlockException.NotJoined(call, code, name, detail);
            case EINPROGRESS:
                return new SanlockException.InProgress(call, code, name, detail);
            case ENOENT:
                return daemonSocket ? new SanlockException.NotFound(call, code, name, detail)
                        : new SanlockException.Unreachable(call, code, name, detail + "; no daemon socket");
            case ENODEV:
                return new SanlockException.NotFound(call, code, name, detail);
            case EPERM:
                // The client library's -1: a short read (the daemon dropped the connection), except
                // from release, where the daemon says the lease is not held by the registration.
                return call.equals("release")
                        ? new SanlockException.NotFound(call, code, name, "not held by this registration; " + context)
                        : new SanlockException.Unreachable(call, code, name, "the daemon closed the connection; " + context);
            case EINVAL, -7, -34, -230, -231:
                return new SanlockException.Invalid(call, code, name, detail);
            case -243, -244, -245, -246:
                return new SanlockException.Held(call, code, name, detail);
            case -247:
                return new SanlockException.OwnerRetry(call, code, name, detail);
            case -262:
                return new SanlockException.HostIdBusy(call, code, name, detail);
            case -240, -250, -272, -273:
                return new SanlockException.VersionMismatch(call, code, name, detail);
            case -202, -210, -211, -212, -213, -214, -220, -221, -222, -223, -224, -225, -226, -227, -228, -229,
                    -242, -270, -271, -274, -275, -276, -277, -278:
                return new SanlockException.Storage(call, code, name, detail);
            case -32, -104, -107, ECONNREFUSED:
                return new SanlockException.Unreachable(call, code, name, detail);
            default:
                return new SanlockException(call, code, name, detail);
        }
    }
}
