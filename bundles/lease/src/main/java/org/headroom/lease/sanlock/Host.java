package org.headroom.lease.sanlock;

/**
 * A host of a lockspace as this host's daemon sees it ({@code struct sanlk_host} from get_hosts).
 *
 * @param generation       bumped each time the host id is joined again
 * @param timestamp        the host's last renewal, in its own monotonic seconds (0: free)
 * @param ioTimeoutSeconds the io timeout the host joined with
 */
public record Host(long hostId, long generation, long timestamp, int ioTimeoutSeconds, HostState state) {
}
