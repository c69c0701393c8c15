package org.headroom.migrate.command;

/** What the commands say when the migration service is not there. */
final class NotRunning {
    static final String MIGRATE = "live migration is not running: see headroom:migrations, the log, and etc/org.headroom.migrate.cfg";

    private NotRunning() {
    }
}
