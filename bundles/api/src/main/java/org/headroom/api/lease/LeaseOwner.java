package org.headroom.api.lease;

/**
 * Who holds a lease, read from its area on storage (any host can read it, joined or not), and that
 * host's state as this host sees it (UNKNOWN when not joined).
 *
 * @param version the lease's version: bumped by every acquire
 */
public record LeaseOwner(int hostId, long generation, long version, String hostState) {
}
