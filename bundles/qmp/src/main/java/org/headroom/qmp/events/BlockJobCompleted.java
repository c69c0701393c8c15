package org.headroom.qmp.events;

/** BLOCK_JOB_COMPLETED: the job ended; {@code error} is set when it failed. */
public record BlockJobCompleted(String type, String device, long len, long offset, long speed, String error) {
}
