package org.headroom.qmp.types;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A device of query-block. With -blockdev the legacy {@code device} name is "", and the device is
 * known by {@code qdev} (e.g. "/machine/peripheral/vd0/virtio-backend").
 */
public record BlockInfo(String device, String qdev, boolean removable, boolean locked,
                        BlockDeviceInfo inserted,
                        @JsonProperty("io-status") String ioStatus) {
}
