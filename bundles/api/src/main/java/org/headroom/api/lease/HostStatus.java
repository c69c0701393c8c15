package org.headroom.api.lease;

/**
 * A host of a lockspace as this host's sanlock daemon sees it.
 *
 * @param state      LIVE (renewing), FAIL (stopped renewing, not dead yet: its leases are still
 *                   its own), DEAD (its leases may be taken), FREE (never seen, or left cleanly), UNKNOWN
 * @param generation the host's sanlock generation: bumped each time it joins again
 */
public record HostStatus(int hostId, String state, long generation, long timestamp) {
}
