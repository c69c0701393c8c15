package org.headroom.qmp.types;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * query-blockstats: per device the top node's stats, and in {@code parent} the stats of the node
 * under it (for qcow2 on a volume: the protocol node, whose {@code wr_highest_offset} is the
 * volume's allocation).
 */
public record BlockStats(String device, String qdev,
                         @JsonProperty("node-name") String nodeName,
                         Stats stats, BlockStats parent, BlockStats backing) {

    public record Stats(@JsonProperty("wr_highest_offset") long wrHighestOffset,
                        @JsonProperty("wr_bytes") long wrBytes,
                        @JsonProperty("rd_bytes") long rdBytes,
                        @JsonProperty("wr_operations") long wrOperations) {
    }
}
