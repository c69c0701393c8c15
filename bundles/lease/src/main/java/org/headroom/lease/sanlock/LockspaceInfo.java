package org.headroom.lease.sanlock;

/**
 * A lockspace this host's daemon has (get_lockspaces), with whether it is still being joined
 * (SANLK_LSF_ADD) or being left (SANLK_LSF_REM).
 */
public record LockspaceInfo(Lockspace lockspace, boolean joining, boolean leaving) {
}
