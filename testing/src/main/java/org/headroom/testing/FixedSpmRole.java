package org.headroom.testing;

import org.headroom.api.spm.SpmRole;

/** The SPM role as a test fixes it: this host holds it, or another host does. */
public record FixedSpmRole(boolean held, int spmHostId) implements SpmRole {

    /** This host, host {@code hostId}, is the SPM. */
    public static SpmRole thisHost(int hostId) {
        return new FixedSpmRole(true, hostId);
    }
}
