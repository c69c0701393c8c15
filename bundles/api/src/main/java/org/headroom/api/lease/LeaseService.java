package org.headroom.api.lease;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.headroom.api.storage.VolumeRef;

/**
 * This host's leases: the lockspaces of its domains, joined under its host id, and the leases it
 * holds in them. Acquiring never waits for a dead host: a lease held by a host that stopped renewing
 * fails at once, saying so ({@link LeaseHeldException#failing()}), and may be asked again once that
 * host is dead.
 *
 * <p>When a lockspace fails (this host cannot renew its delta lease on the storage), sanlock must
 * see every lease in it given up, or it kills the process that holds them: the service gives them
 * up itself, telling their holders first (the SPM stops serving), before anyone else could take
 * them; the agent lives on and joins again.
 */
public interface LeaseService {

    /** The lockspace of {@code domain} on this host, as sanlock says now. */
    LockspaceStatus lockspace(UUID domain);

    /** This host's id in every lockspace it joins. */
    int hostId();

    /** The domains whose lockspaces this host joins: every connected domain. */
    List<UUID> domains();

    /** The leases this host holds now, as it acquired them. */
    List<LeaseRef> held();

    /** The SDM lease of {@code domain}: holding it is being the SPM. */
    LeaseRef sdmLease(UUID domain);

    /** The lease of a volume: held by whoever runs a storage job on it. */
    LeaseRef volumeLease(VolumeRef volume);

    /**
     * Acquires {@code lease} for this host.
     *
     * @throws LeaseHeldException another host holds it
     * @throws LeaseException     the lockspace is not joined, the lease area unreadable, ...
     */
    HeldLease acquire(LeaseRef lease);

    /** Who holds {@code lease} now, read from storage; empty when nobody does. */
    Optional<LeaseOwner> owner(LeaseRef lease);

    /**
     * Tells {@code listener} when this host loses leases it did not release (its lockspace failed):
     * it must stop whatever the lease allowed at once. Close the handle to stop listening.
     */
    AutoCloseable onLeaseLost(LeaseLostListener listener);

    /** Told when a lockspace fails and its leases are given up. */
    @FunctionalInterface
    interface LeaseLostListener {
        void leasesLost(UUID domain, String why);
    }
}
