package org.headroom.runtime;

import java.time.Duration;

/**
 * The waits between attempts at something that keeps failing (a QMP reconnection, a registration
 * with sanlock, a lockspace join): {@code min}, doubling up to {@code max}. Only a success that
 * lasted {@code stable} starts the waits again from {@code min}, so that a peer that accepts,
 * greets or even completes the handshake and then hangs up at once is still paced. Pure; the
 * caller gives the time.
 */
public final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final long stableNanos;
    private long nextNanos;
    private boolean up;
    private long upSince;

    public Backoff(Duration min, Duration max, Duration stable) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0 || stable.isNegative()) {
            throw new IllegalArgumentException("backoff needs 0 < min <= max and stable >= 0: " + min + ", " + max + ", " + stable);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.stableNanos = stable.toNanos();
        this.nextNanos = minNanos;
    }

    /** The wait before the next attempt; the one after it is twice as long, up to the maximum. */
    public long nextDelayNanos() {
        long delay = nextNanos;
        nextNanos = Math.min(maxNanos, delay * 2);
        return delay;
    }

    /** The attempt succeeded at {@code now} (a connection completed its handshake). */
    public void connected(long now) {
        up = true;
        upSince = now;
    }

    /** What the attempt won ended, or the attempt failed, at {@code now}. */
    public void ended(long now) {
        if (up && now - upSince >= stableNanos) {
            nextNanos = minNanos;
        }
        up = false;
    }
}
