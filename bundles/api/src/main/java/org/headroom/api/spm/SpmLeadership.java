package org.headroom.api.spm;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Registered as a service while this host holds the SDM lease of {@link #domain()}: holding it is
 * being the SPM. The mailbox serves the SPM side while this service exists. It is unregistered
 * before the lease is released (or given up), so that whatever the SPM does stops first.
 */
public interface SpmLeadership {

    /** The domain whose SDM lease this host holds (the pool's master domain). */
    UUID domain();

    /** When this host became the SPM, epoch ms. */
    long sinceMillis();

    /**
     * The hosts of the domain's lockspace that renew their delta lease now (LIVE, or FAIL: not
     * dead yet), as this host's sanlock daemon sees them: the only hosts that can write requests.
     * Empty when it cannot tell.
     */
    Optional<Set<Integer>> liveHosts();

    /**
     * Asks that this host give the role up, because it cannot serve it (its SPM side failed to
     * start): soon, on the election's thread, not within this call.
     */
    void resign(String why);
}
