package org.headroom.virt;

import java.time.Instant;

/**
 * One call of libvirt's qemu hook as the agent handled it.
 *
 * @param exit   the hook's exit status: non-zero makes libvirt refuse the operation
 * @param micros how long the agent took to answer
 * @param message the line the hook gives libvirt's log, or ""
 */
public record HookCall(Instant at, String vm, String op, int exit, long micros, String message) {
}
