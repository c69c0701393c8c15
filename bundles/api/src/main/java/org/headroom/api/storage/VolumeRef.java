package org.headroom.api.storage;

import java.util.Objects;
import java.util.UUID;

/** A volume of an image of a storage domain, as VDSM names it: three UUIDs. */
public record VolumeRef(UUID domain, UUID image, UUID volume) {
    public VolumeRef {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(volume, "volume");
    }

    @Override
    public String toString() {
        return domain + "/" + image + "/" + volume;
    }
}
