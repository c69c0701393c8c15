package org.headroom.api.lease;

import java.util.List;
import java.util.UUID;

/**
 * A domain's lockspace on this host.
 *
 * @param state  NOT_JOINED, JOINING, JOINED, LEAVING, FAILED (renewals failing: leases are being
 *               given up) — and why, in {@code problem}
 * @param hosts  the hosts this host's daemon has seen (empty until joined)
 */
public record LockspaceStatus(UUID domain, int hostId, String state, String problem, List<HostStatus> hosts) {
    public LockspaceStatus {
        hosts = List.copyOf(hosts);
    }

    public boolean joined() {
        return state.equals("JOINED");
    }
}
