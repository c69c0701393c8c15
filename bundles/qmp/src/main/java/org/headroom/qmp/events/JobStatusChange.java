package org.headroom.qmp.events;

/** JOB_STATUS_CHANGE: created, running, paused, ready, standby, waiting, pending, aborting, concluded, null. */
public record JobStatusChange(String id, String status) {
}
