package org.headroom.virt.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the hook receiver did: calls per operation, errors, malformed requests, and the latest calls. */
public final class HookStats {
    private static final int RECENT = 50;

    /** One hook call as handled. */
    public record Call(Instant at, String vm, String op, int exit, long micros, String message) {
    }

    private final Map<String, Long> perOperation = new TreeMap<>();
    private final Deque<Call> recent = new ArrayDeque<>();
    private long errors;
    private long malformed;

    synchronized void handled(Call call) {
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
    public synchronized List<Call> recent() {
        return new ArrayList<>(recent);
    }
}
