package org.headroom.qmp.events;

/** BLOCK_JOB_CANCELLED: the job was cancelled before it completed. */
public record BlockJobCancelled(String type, String device, long len, long offset, long speed) {
}
