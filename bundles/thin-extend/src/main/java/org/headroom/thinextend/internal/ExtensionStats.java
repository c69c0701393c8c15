package org.headroom.thinextend.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Extensions, pauses, failures, and the latencies (threshold event to re-armed) of the last 4096 extensions. */
public final class ExtensionStats {
    private final AtomicLong extensions = new AtomicLong();
    private final AtomicLong pauses = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final long[] recent = new long[4096];
    private final Map<Object, Long> last = new ConcurrentHashMap<>();

    void extension(Object drive, long nanos) {
        long n = extensions.getAndIncrement();
        synchronized (recent) {
            recent[(int) (n % recent.length)] = nanos;
        }
        last.put(drive, nanos);
    }

    void pause() {
        pauses.incrementAndGet();
    }

    void failure() {
        failures.incrementAndGet();
    }

    public long extensions() {
        return extensions.get();
    }

    public long pauses() {
        return pauses.get();
    }

    public long failures() {
        return failures.get();
    }

    /** The last extension's latency of a drive, ms; 0 before its first. */
    double last(Object drive) {
        return last.getOrDefault(drive, 0L) / 1e6;
    }

    /** The {@code p}-th percentile of recent extension latencies, ms. */
    public double percentileMillis(double p) {
        long[] sorted;
        synchronized (recent) {
            sorted = Arrays.copyOf(recent, (int) Math.min(extensions.get(), recent.length));
        }
        if (sorted.length == 0) {
            return 0;
        }
        Arrays.sort(sorted);
        int index = (int) Math.ceil(sorted.length * p / 100.0) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
