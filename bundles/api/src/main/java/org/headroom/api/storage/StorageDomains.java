package org.headroom.api.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The storage domains this host is connected to. */
public interface StorageDomains {

    List<StorageDomain> domains();

    Optional<StorageDomain> domain(UUID uuid);
}
