package org.headroom.qmp.types;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An image in a block node's chain, as query-block and query-named-block-nodes report it. */
public record ImageInfo(String filename, String format,
                        @JsonProperty("virtual-size") long virtualSize,
                        @JsonProperty("actual-size") Long actualSize,
                        @JsonProperty("backing-image") ImageInfo backingImage) {
}
