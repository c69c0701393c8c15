package org.headroom.thinextend.command;

/** What the commands say while the volume monitor is not running, so that they exist from the start. */
final class NotRunning {
    static final String MONITOR = "The volume monitor is not running. It starts once the mailbox runs "
            + "(etc/org.headroom.mailbox.cfg; see headroom:mailbox), with etc/org.headroom.thinextend.cfg for its policy.";

    private NotRunning() {
    }
}
