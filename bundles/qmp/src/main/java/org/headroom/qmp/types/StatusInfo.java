package org.headroom.qmp.types;

/** query-status: {@code status} is e.g. "running", "paused", "io-error", "prelaunch", "inmigrate". */
public record StatusInfo(boolean running, String status) {
}
