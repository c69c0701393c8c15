package org.headroom.qmp.events;

/** BLOCK_JOB_ERROR: an I/O error in a job (for a mirror: also on the target). */
public record BlockJobError(String device, String operation, String action) {
}
