package org.headroom.qmp.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** BLOCK_IO_ERROR: with {@code nospace} and werror=enospc the VM is being stopped. */
public record BlockIoError(String device, @JsonProperty("node-name") String nodeName, String operation,
                           String action, boolean nospace, String reason) {
}
