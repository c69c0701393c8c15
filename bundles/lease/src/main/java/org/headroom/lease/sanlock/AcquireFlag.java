package org.headroom.lease.sanlock;

/**
 * Options of an acquire. SANLK_ACQUIRE_OWNER_NOWAIT is not among them because the binding always
 * sets it on {@link Registration#acquire}: see {@link Registration#acquireWaiting}.
 */
public enum AcquireFlag {
    /** Read the lease's value block from disk, for get/set_lvb (SANLK_ACQUIRE_LVB). */
    LVB,
    /** If the lease is this host's orphan, adopt it; else acquire it as usual (SANLK_ACQUIRE_ORPHAN). */
    ORPHAN,
    /** Adopt the lease only if it is this host's orphan, else -ENOENT (SANLK_ACQUIRE_ORPHAN_ONLY). */
    ORPHAN_ONLY
}
