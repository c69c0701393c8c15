package org.headroom.thinextend.internal;

/**
 * The guest's write rate into a volume, from its allocation over time: an exponentially weighted
 * average of the growth between readings, so a burst shows at once and fades over a few readings.
 * Pure; times are nanoseconds from the caller's clock.
 */
final class RateEstimator {
    private static final double WEIGHT = 0.5;
    private long lastNanos = Long.MIN_VALUE;
    private long lastAllocation;
    private double rate;

    void observe(long nanos, long allocation) {
        if (lastNanos != Long.MIN_VALUE && nanos - lastNanos > 1_000_000) {
            double seconds = (nanos - lastNanos) / 1e9;
            double sample = Math.max(0, allocation - lastAllocation) / seconds;
            rate = rate == 0 ? sample : WEIGHT * sample + (1 - WEIGHT) * rate;
        }
        if (lastNanos == Long.MIN_VALUE || nanos - lastNanos > 1_000_000) {
            lastNanos = nanos;
            lastAllocation = allocation;
        }
    }

    /** Bytes per second. */
    double rate() {
        return rate;
    }
}
