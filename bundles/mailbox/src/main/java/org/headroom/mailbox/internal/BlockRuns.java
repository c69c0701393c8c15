package org.headroom.mailbox.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Which outbox blocks to write together. Pure. A direct write costs about the same whether it
 * carries one block or several: runs of changed blocks separated by a few unchanged ones are
 * written as one (the unchanged blocks rewritten as they are), so a burst of replies to hosts
 * scattered over the outbox takes a few writes, not one per host.
 */
public final class BlockRuns {
    /** Blocks {@code first..last}, inclusive. */
    public record Run(int first, int last) {
        public int blocks() {
            return last - first + 1;
        }
    }

    private BlockRuns() {
    }

    /** Runs covering every {@code dirty[i]} for {@code i} in {@code from..dirty.length-1}, bridging gaps of at most {@code maxGap} blocks. */
    public static List<Run> of(boolean[] dirty, int from, int maxGap) {
        List<Run> runs = new ArrayList<>();
        int first = -1;
        int last = -1;
        for (int i = from; i < dirty.length; i++) {
            if (!dirty[i]) {
                continue;
            }
            if (first >= 0 && i - last - 1 > maxGap) {
                runs.add(new Run(first, last));
                first = -1;
            }
            if (first < 0) {
                first = i;
            }
            last = i;
        }
        if (first >= 0) {
            runs.add(new Run(first, last));
        }
        return runs;
    }
}
