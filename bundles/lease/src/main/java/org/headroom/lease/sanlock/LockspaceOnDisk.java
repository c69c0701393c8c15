package org.headroom.lease.sanlock;

/** A lockspace area as written on disk (read_lockspace): its name, geometry and io timeout. */
public record LockspaceOnDisk(String name, Geometry geometry, int ioTimeoutSeconds) {
}
