package org.headroom.lease.sanlock;

import java.util.Objects;
import org.headroom.lease.sanlock.internal.Fields;

/**
 * A lockspace as this host joins it ({@code struct sanlk_lockspace}): its name (VDSM: the domain's
 * UUID), this host's id in it (1 to 2000), and the disk of its delta leases (VDSM: the {@code ids}
 * volume at offset 0).
 */
public record Lockspace(String name, long hostId, Disk disk) {
    public Lockspace {
        Fields.name("lockspace name", name);
        if (hostId < 1 || hostId > 2000) {
            throw new IllegalArgumentException("host id " + hostId + " of lockspace " + name + " is not in 1..2000");
        }
        Objects.requireNonNull(disk, "disk");
    }

    @Override
    public String toString() {
        return name + ":" + hostId + ":" + disk;
    }
}
