package org.headroom.qmp.events;

/** BLOCK_JOB_READY: a mirror has caught up and can be completed. */
public record BlockJobReady(String type, String device, long len, long offset, long speed) {
}
