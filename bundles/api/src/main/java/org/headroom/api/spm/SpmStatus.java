package org.headroom.api.spm;

import java.util.UUID;

/**
 * The SPM role as this host sees it.
 *
 * @param candidate     whether this host contends for the role
 * @param held          whether this host holds the SDM lease now
 * @param spmHostId     the host holding the SDM lease as storage says, or 0 when nobody does
 * @param spmHostState  that host's state as this host's sanlock daemon sees it (LIVE, FAIL, DEAD, ...), or ""
 * @param sinceMillis   when this host became the SPM (epoch ms), or 0
 * @param attempts      attempts to acquire the SDM lease since this host last held it
 * @param problem       why the last attempt failed (held elsewhere, lockspace not joined, ...), or ""
 */
public record SpmStatus(UUID domain, boolean candidate, boolean held, int spmHostId, String spmHostState,
                        long sinceMillis, long attempts, String problem) {
}
