package org.headroom.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofMillis(400),
            Duration.ofSeconds(10));

    @Test
    void doublesFromMinToMax() {
        for (long expected : new long[] {50, 100, 200, 400, 400, 400}) {
            assertThat(backoff.nextDelayNanos()).isEqualTo(expected * MS);
        }
    }

    @Test
    void aConnectionThatEndsAtOnceKeepsThePace() {
        backoff.nextDelayNanos();
        backoff.nextDelayNanos();
        backoff.connected(0);
        backoff.ended(500 * MS);
        assertThat(backoff.nextDelayNanos()).isEqualTo(200 * MS);
    }

    @Test
    void aConnectionThatLastedStartsAgainFromMin() {
        backoff.nextDelayNanos();
        backoff.nextDelayNanos();
        backoff.connected(0);
        backoff.ended(10_000 * MS);
        assertThat(backoff.nextDelayNanos()).isEqualTo(50 * MS);
    }

    @Test
    void anAttemptThatNeverConnectedResetsNothing() {
        backoff.nextDelayNanos();
        backoff.connected(0);
        backoff.ended(20_000 * MS);
        backoff.nextDelayNanos();
        backoff.ended(40_000 * MS);
        assertThat(backoff.nextDelayNanos()).isEqualTo(100 * MS);
    }

    @Test
    void rejectsAMaxBelowTheMin() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
