package org.headroom.lease.sanlock;

/**
 * A lease area as written on disk (read_resource): the lockspace and name it was written for, its
 * version (0: never acquired) and its geometry.
 */
public record ResourceOnDisk(String lockspace, String name, long version, Geometry geometry) {
}
