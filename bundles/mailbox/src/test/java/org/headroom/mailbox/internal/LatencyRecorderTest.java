package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {
    @Test
    void percentilesAreWithinABucketOfTheTruth() {
        LatencyRecorder r = new LatencyRecorder();
        for (int ms = 1; ms <= 100; ms++) {
            r.record(ms * 1_000_000L);
        }
        assertThat(r.count()).isEqualTo(100);
        assertThat(r.percentileMicros(50)).isBetween(50_000L, 53_200L);
        assertThat(r.percentileMicros(99)).isBetween(99_000L, 105_300L);
        assertThat(r.percentileMicros(100)).isBetween(100_000L, 106_300L);
    }

    @Test
    void smallValuesAreExactAndEmptyIsZero() {
        LatencyRecorder r = new LatencyRecorder();
        assertThat(r.percentileMicros(50)).isZero();
        r.record(7_000);
        assertThat(r.percentileMicros(50)).isEqualTo(7);
    }

    @Test
    void bucketsCoverEveryValueMonotonically() {
        int last = -1;
        for (long v = 1; v < 1L << 30; v = v * 5 / 4 + 1) {
            int b = LatencyRecorder.bucket(v);
            assertThat(b).isGreaterThanOrEqualTo(last);
            assertThat(LatencyRecorder.upperEdge(b)).isGreaterThanOrEqualTo(v);
            last = b;
        }
    }
}
