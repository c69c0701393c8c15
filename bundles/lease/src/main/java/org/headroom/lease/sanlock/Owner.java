package org.headroom.lease.sanlock;

/**
 * A holder of a lease as its area on disk says ({@code struct sanlk_host} from
 * read_resource_owners): the host id and the generation of its lockspace membership it acquired
 * the lease in. A generation older than the host's current one (get_hosts) means the lease is
 * left over from before the host rejoined: free to take.
 *
 * @param timestamp the exclusive owner's acquire time (0 for shared owners)
 */
public record Owner(long hostId, long generation, long timestamp) {
}
