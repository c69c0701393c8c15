package org.headroom.thinextend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdaptivePolicyTest {
    private static final long MIB = 1 << 20;
    private static final long GIB = 1024 * MIB;
    private final AdaptivePolicy adaptive = new AdaptivePolicy(256 * MIB, 8 * GIB, 205 * MIB, 4, 4);
    private final DriveSizes drive = new DriveSizes(100 * GIB, 2560 * MIB, 0, false);

    @Test
    void anIdleDiskHoldsBackOnlyTheFloors() {
        assertThat(adaptive.chunk(drive, Learned.NOTHING)).isEqualTo(256 * MIB);
        assertThat(adaptive.watermark(drive, Learned.NOTHING)).isEqualTo(205 * MIB);
        assertThat(adaptive.watermark(drive, Learned.NOTHING)).isLessThan(ChunkPolicy.VDSM_DEFAULT.watermark(drive, Learned.NOTHING));
    }

    @Test
    void aFastWriterGetsFreeSpaceForItsRateTimesTheLatencyAndChunksForItsHorizon() {
        Learned fast = new Learned(1500.0 * MIB, 0.05); // 1.5 GiB/s, 50 ms per extension
        assertThat(adaptive.watermark(drive, fast)).isEqualTo((long) (1500.0 * MIB * 0.05 * 4));
        assertThat(adaptive.chunk(drive, fast)).isEqualTo(6000 * MIB);
        assertThat(adaptive.needsExtension(new DriveSizes(100 * GIB, 2560 * MIB, 2560 * MIB - 299 * MIB, false), fast)).isTrue();
        assertThat(adaptive.needsExtension(new DriveSizes(100 * GIB, 2560 * MIB, 2560 * MIB - 301 * MIB, false), fast)).isFalse();
    }

    @Test
    void slowExtensionsRaiseTheWatermarkUpToTheChunk() {
        Learned slow = new Learned(190.0 * MIB, 1.0);
        assertThat(adaptive.watermark(drive, slow)).isEqualTo(760 * MIB);
        assertThat(adaptive.chunk(drive, slow)).isEqualTo(1520 * MIB);
        AdaptivePolicy capped = new AdaptivePolicy(64 * MIB, 64 * MIB, 51 * MIB, 4, 4);
        assertThat(capped.watermark(drive, slow)).as("never more than a chunk").isEqualTo(64 * MIB);
    }

    @Test
    void theChunkIsCappedAndDoubledForAReplica() {
        Learned torrent = new Learned(10.0 * GIB, 0.05);
        assertThat(adaptive.chunk(drive, torrent)).isEqualTo(8 * GIB);
        assertThat(adaptive.chunk(new DriveSizes(100 * GIB, 2560 * MIB, 0, true), torrent)).isEqualTo(16 * GIB);
    }
}
