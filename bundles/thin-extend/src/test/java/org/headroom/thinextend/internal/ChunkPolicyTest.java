package org.headroom.thinextend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** VDSM's formulas, with VDSM's defaults: 2560 MiB chunks at 20 % utilization. */
class ChunkPolicyTest {
    private static final long MIB = 1 << 20;
    private static final long GIB = 1024 * MIB;
    private final ChunkPolicy vdsm = ChunkPolicy.VDSM_DEFAULT;

    @Test
    void keepsEightyPercentOfAChunkFree() {
        DriveSizes d = new DriveSizes(100 * GIB, 2560 * MIB, 0, false);
        assertThat(vdsm.watermark(d, Learned.NOTHING)).isEqualTo(2048 * MIB);
        assertThat(vdsm.threshold(d, Learned.NOTHING)).isEqualTo(512 * MIB);
        assertThat(vdsm.needsExtension(new DriveSizes(100 * GIB, 2560 * MIB, 511 * MIB, false), Learned.NOTHING)).isFalse();
        assertThat(vdsm.needsExtension(new DriveSizes(100 * GIB, 2560 * MIB, 513 * MIB, false), Learned.NOTHING)).isTrue();
    }

    @Test
    void thresholdIsAtLeastOne() {
        assertThat(vdsm.threshold(new DriveSizes(100 * GIB, MIB, 0, false), Learned.NOTHING)).isEqualTo(1);
    }

    @Test
    void nextSizeIsAChunkMoreCappedAtTenPercentOverCapacity() {
        assertThat(vdsm.nextSize(new DriveSizes(100 * GIB, 2560 * MIB, 600 * MIB, false), Learned.NOTHING)).isEqualTo(5120 * MIB);
        assertThat(vdsm.nextSize(new DriveSizes(4 * GIB, 2560 * MIB, 600 * MIB, false), Learned.NOTHING))
                .isEqualTo(4506 * MIB); // round_up(4 GiB x 1.1, 1 MiB) = 4505.6 -> 4506 MiB
        assertThat(vdsm.maxSize(10 * GIB)).isEqualTo(11264 * MIB);
        assertThat(vdsm.nextSize(new DriveSizes(100 * GIB, 2560 * MIB + 1, 0, false), Learned.NOTHING))
                .isEqualTo(5121 * MIB);
    }

    @Test
    void aReplicaDoublesTheChunk() {
        DriveSizes d = new DriveSizes(100 * GIB, 2560 * MIB, 0, true);
        assertThat(vdsm.chunk(d, Learned.NOTHING)).isEqualTo(5120 * MIB);
        assertThat(vdsm.watermark(d, Learned.NOTHING)).isEqualTo(4096 * MIB);
        assertThat(vdsm.nextSize(d, Learned.NOTHING)).isEqualTo(7680 * MIB);
    }

    @Test
    void improbableAllocationIsBeyondTheNextSize() {
        assertThat(vdsm.improbable(new DriveSizes(100 * GIB, 2560 * MIB, 6000 * MIB, false), Learned.NOTHING)).isTrue();
        assertThat(vdsm.improbable(new DriveSizes(100 * GIB, 2560 * MIB, 2560 * MIB, false), Learned.NOTHING)).isFalse();
    }

    @Test
    void aNewVolumeStartsAtOneChunkOrItsCapacity() {
        assertThat(vdsm.initialSize(100 * GIB, Learned.NOTHING)).isEqualTo(2560 * MIB);
        assertThat(vdsm.initialSize(GIB, Learned.NOTHING)).isEqualTo(GIB);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new ChunkPolicy(0, 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkPolicy(MIB, 100)).isInstanceOf(IllegalArgumentException.class);
    }
}
