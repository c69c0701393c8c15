package org.headroom.lease.sanlock;

import java.util.List;

/**
 * Who holds a lease, read from its area by any host's daemon (read_resource_owners): nobody, one
 * exclusive owner, or the shared owners.
 *
 * @param version the lease version on disk
 */
public record ResourceOwners(long version, boolean shared, List<Owner> owners) {
    public ResourceOwners {
        owners = List.copyOf(owners);
    }
}
