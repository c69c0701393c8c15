package org.headroom.qmp.internal;

import java.time.Duration;

/**
 * The waits between reconnection attempts: {@code min}, doubling up to {@code max}. Only a
 * connection that stayed up for {@code stable} starts the waits again from {@code min}, so that a
 * peer that accepts, greets or even completes the handshake and then hangs up at once is still
 * paced. Pure; the caller gives the time.
 */
public final class ReconnectBackoff {
    private final long minNanos;
    private final long maxNanos;
    private final long stableNanos;
    private long nextNanos;
    private boolean up;
    private long upSince;

    public ReconnectBackoff(Duration min, Duration max, Duration stable) {
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

    /** A connection completed its handshake at {@code now}. */
    public void connected(long now) {
        up = true;
        upSince = now;
    }

    /** The connection, or the attempt at one, ended at {@code now}. */
    public void ended(long now) {
        if (up && now - upSince >= stableNanos) {
            nextNanos = minNanos;
        }
        up = false;
    }
}
