package org.headroom.lease.sanlock;

import java.time.Duration;

/**
 * How long the binding waits for the daemon before it gives up on a call
 * ({@link SanlockException.Timeout}).
 *
 * @param daemon calls the daemon answers from memory: version, register, inquire, get/set_lvb,
 *               get_hosts, get_lockspaces, inq_lockspace, the asynchronous add and rem of a
 *               lockspace. A live daemon answers in milliseconds.
 * @param io     calls that wait for lease I/O, each bounded by the daemon's io timeout: acquire
 *               (a free lease takes at most 6 io timeouts), release, request, write/read of
 *               lockspaces and resources, read_resource_owners, align. Also the longest a call
 *               waits for a registration busy with another call.
 */
public record CallBounds(Duration daemon, Duration io) {
    public CallBounds {
        if (daemon.isNegative() || daemon.isZero() || io.isNegative() || io.isZero()) {
            throw new IllegalArgumentException("call bounds must be positive: " + daemon + ", " + io);
        }
    }

    /** For lockspaces of {@code ioTimeoutSeconds} (VDSM: 10): 10 s, and 8 io timeouts + 10 s. */
    public static CallBounds forIoTimeout(int ioTimeoutSeconds) {
        if (ioTimeoutSeconds < 1) {
            throw new IllegalArgumentException("io timeout " + ioTimeoutSeconds + " s is not positive");
        }
        return new CallBounds(Duration.ofSeconds(10), Duration.ofSeconds(8L * ioTimeoutSeconds + 10));
    }
}
