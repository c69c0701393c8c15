package org.headroom.thinextend.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Extensions, pauses, failures, stale results, and the latencies (trigger to re-armed) of the last
 * 4096 extensions. Written on the monitor's thread, read from any.
 */
final class ExtensionStats {
    private final AtomicLong extensions = new AtomicLong();
    private final AtomicLong pauses = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final long[] recent = new long[4096];

    void extension(long nanos) {
        long n = extensions.getAndIncrement();
        synchronized (recent) {
            recent[(int) (n % recent.length)] = nanos;
        }
    }

    void pause() {
        pauses.incrementAndGet();
    }

    void failure() {
        failures.incrementAndGet();
    }

    void staleResult() {
        stale.incrementAndGet();
    }

    void refused() {
        rejected.incrementAndGet();
    }

    long extensions() {
        return extensions.get();
    }

    long pauses() {
        return pauses.get();
    }

    long failures() {
        return failures.get();
    }

    long stale() {
        return stale.get();
    }

    long rejected() {
        return rejected.get();
    }

    /** The {@code p}-th percentile of recent extension latencies, ms. */
    double percentileMillis(double p) {
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
