package org.headroom.qmp.types;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A block node: query-block's "inserted", or an entry of query-named-block-nodes. */
public record BlockDeviceInfo(String file,
                              @JsonProperty("node-name") String nodeName,
                              boolean ro,
                              String drv,
                              @JsonProperty("backing_file") String backingFile,
                              ImageInfo image,
                              @JsonProperty("write_threshold") long writeThreshold) {
}
