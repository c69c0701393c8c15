package org.headroom.api.lease;

import java.nio.file.Path;
import java.util.Objects;
import java.util.UUID;

/**
 * A lease on shared storage: its lockspace (the domain), its name, and where its area is. VDSM's
 * places: the SDM lease {@code SDM} at {@code dom_md/leases} offset 1 × alignment; a file volume's
 * lease named by the volume at {@code <volume>.lease} offset 0.
 */
public record LeaseRef(UUID domain, String name, Path path, long offset) {
    public LeaseRef {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        if (name.isEmpty() || name.length() > 48) {
            throw new IllegalArgumentException("a lease name is 1 to 48 characters: '" + name + "'");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative lease offset " + offset);
        }
    }

    @Override
    public String toString() {
        return name + "@" + path + ":" + offset;
    }
}
