package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlockRunsTest {
    private static boolean[] dirty(int length, int... blocks) {
        boolean[] d = new boolean[length];
        for (int b : blocks) {
            d[b] = true;
        }
        return d;
    }

    @Test
    void nothingDirtyNothingToWrite() {
        assertThat(BlockRuns.of(new boolean[10], 1, 4)).isEmpty();
    }

    @Test
    void gapsUpToTheLimitAreBridged() {
        assertThat(BlockRuns.of(dirty(20, 1, 2, 5, 11, 19), 1, 3))
                .containsExactly(new BlockRuns.Run(1, 5), new BlockRuns.Run(11, 11), new BlockRuns.Run(19, 19));
    }

    @Test
    void withoutBridgingOnlyContiguousBlocksGoTogether() {
        List<BlockRuns.Run> runs = BlockRuns.of(dirty(8, 1, 2, 4, 7), 1, 0);
        assertThat(runs).containsExactly(new BlockRuns.Run(1, 2), new BlockRuns.Run(4, 4), new BlockRuns.Run(7, 7));
        assertThat(runs.get(0).blocks()).isEqualTo(2);
    }

    @Test
    void blocksBeforeTheStartAreIgnored() {
        assertThat(BlockRuns.of(dirty(4, 0, 3), 1, 8)).containsExactly(new BlockRuns.Run(3, 3));
    }
}
