package org.headroom.qmp.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** BLOCK_WRITE_THRESHOLD: a write went past the node's threshold, which is now disarmed. */
public record BlockWriteThreshold(@JsonProperty("node-name") String nodeName,
                                  @JsonProperty("amount-exceeded") long amountExceeded,
                                  @JsonProperty("write-threshold") long writeThreshold) {
}
