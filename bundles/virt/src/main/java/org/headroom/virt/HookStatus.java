package org.headroom.virt;

import java.util.List;
import java.util.Map;

/**
 * The qemu hook receiver's figures since it started.
 *
 * @param socket     the UNIX socket the hook forwards to
 * @param health     "ok", or "broken: ..." once a thread of the receiver failed (its acceptor ended, a call
 *                   threw something unexpected): the agent's log says more; restart the bundle
 * @param calls      calls handled, per operation ("prepare", "started", ...)
 * @param refused    calls answered with a non-zero exit: libvirt refused the VM's start
 * @param malformed  requests that could not be read or were no hook call
 * @param turnedAway calls answered "busy" because every worker was busy and the queue full
 *                   (the hook then applies its agent-down policy)
 * @param recent     the latest calls, newest first
 */
public record HookStatus(String socket, String health, Map<String, Long> calls, long refused, long malformed,
                         long turnedAway, List<HookCall> recent) {

    public HookStatus {
        calls = Map.copyOf(calls);
        recent = List.copyOf(recent);
    }

    /** Calls handled, all operations together. */
    public long totalCalls() {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }
}
