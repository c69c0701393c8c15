package org.headroom.virt.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.headroom.virt.HookCall;
import org.headroom.virt.HookStatus;

/** What the hook receiver did: calls per operation, errors, malformed requests, and the latest calls. */
public final class HookStats {
    private static final int RECENT = 50;

    private final Map<String, Long> perOperation = new TreeMap<>();
    private final Deque<HookCall> recent = new ArrayDeque<>();
    private long errors;
    private long malformed;
    private long turnedAway;

    synchronized void handled(HookCall call) {
        perOperation.merge(call.op(), 1L, Long::sum);
        if (call.exit() != 0) {
            errors++;
        }
        recent.addFirst(call);
        while (recent.size() > RECENT) {
            recent.removeLast();
        }
    }

    /** A request that could not be read or was no hook call (bad framing, bad XML, unknown operation). */
    synchronized void countMalformed() {
        malformed++;
    }

    /** A call answered "busy": every worker busy and the queue full. */
    synchronized void countTurnedAway() {
        turnedAway++;
    }

    public synchronized Map<String, Long> perOperation() {
        return Map.copyOf(perOperation);
    }

    /** Calls answered with a non-zero exit status (libvirt refused the operation). */
    public synchronized long errors() {
        return errors;
    }

    public synchronized long malformed() {
        return malformed;
    }

    /** Newest first. */
    public synchronized List<HookCall> recent() {
        return new ArrayList<>(recent);
    }

    /** All of it at one instant, for the receiver listening on {@code socket}, in {@code health}. */
    synchronized HookStatus snapshot(String socket, String health) {
        return new HookStatus(socket, health, perOperation, errors, malformed, turnedAway, List.copyOf(recent));
    }
}
