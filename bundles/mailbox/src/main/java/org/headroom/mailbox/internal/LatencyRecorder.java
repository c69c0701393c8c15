package org.headroom.mailbox.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latency percentiles without keeping samples: log-linear buckets (16 per power of two) from 1 µs
 * to about 68 s; a percentile is the upper edge of its bucket, so within 1/16 (6 %) of the truth.
 * Thread-safe; recording is one atomic increment.
 */
public final class LatencyRecorder {
    private static final int SUB = 16;
    private static final int POWERS = 27;
    private final AtomicLongArray counts = new AtomicLongArray(SUB * POWERS);

    public void record(long nanos) {
        counts.incrementAndGet(bucket(Math.max(1, nanos / 1000)));
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The {@code p}-th percentile (0 < p <= 100) in microseconds, or 0 with no samples. */
    public long percentileMicros(double p) {
        long total = count();
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(total * p / 100.0);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return upperEdge(i);
            }
        }
        return upperEdge(counts.length() - 1);
    }

    static int bucket(long micros) {
        int power = 63 - Long.numberOfLeadingZeros(micros);
        if (power < 4) {
            return (int) micros;
        }
        int sub = (int) ((micros >>> (power - 4)) & (SUB - 1));
        return Math.min((power - 3) * SUB + sub, SUB * POWERS - 1);
    }

    static long upperEdge(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int power = bucket / SUB + 3;
        int sub = bucket % SUB;
        return ((long) (SUB + sub + 1) << (power - 4)) - 1;
    }
}
