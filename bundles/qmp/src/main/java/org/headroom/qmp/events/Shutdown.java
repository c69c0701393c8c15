package org.headroom.qmp.events;

/** SHUTDOWN: the guest or the host asked QEMU to shut down. */
public record Shutdown(boolean guest, String reason) {
}
