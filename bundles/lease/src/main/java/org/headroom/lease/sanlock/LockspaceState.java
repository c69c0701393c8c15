package org.headroom.lease.sanlock;

/** What this host's daemon says of a lockspace (inq_lockspace: 0, -EINPROGRESS, -ENOENT). */
public enum LockspaceState {
    /** Joined: this host holds its delta lease and may acquire leases in it. */
    JOINED,
    /** Being joined or being left ({@link Sanlock#lockspaces()} tells which). */
    IN_PROGRESS,
    /** Not joined, or a join ended without joining (a host id in use, an I/O error: see sanlock's log). */
    ABSENT
}
