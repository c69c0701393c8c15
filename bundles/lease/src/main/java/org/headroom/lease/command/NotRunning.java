package org.headroom.lease.command;

/** What the commands say while the lease service is not running, so that they exist from the start. */
final class NotRunning {
    static final String LEASES = "The lease service is not running. It starts with etc/org.headroom.lease.cfg "
            + "(host_id, io_timeout_s) once the host's sanlock daemon runs and a storage domain is connected; "
            + "see the log (log:display | grep -i lease) if it is configured.";

    private NotRunning() {
    }
}
