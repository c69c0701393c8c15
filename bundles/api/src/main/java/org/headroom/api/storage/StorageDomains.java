package org.headroom.api.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The storage domains this host is connected to. */
public interface StorageDomains {

    List<StorageDomain> domains();

    Optional<StorageDomain> domain(UUID uuid);

    /** The volume behind a disk path a hypervisor reports (a file, or a device a backend activated). */
    default Optional<VolumeRef> volumeAt(java.nio.file.Path path) {
        for (StorageDomain d : domains()) {
            Optional<VolumeRef> v = d.volumeAt(path);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }
}
