package org.headroom.lease.sanlock;

import java.util.List;
import org.headroom.lease.sanlock.internal.Fields;

/**
 * A lease ({@code struct sanlk_resource}): its lockspace, its name, the disks of its area (one in
 * practice; sanlock takes up to 4), and what a call says about it.
 *
 * @param version    the lease version (sanlock's lver). To acquire: 0 for any, else only that
 *                   version (-240 otherwise). From inquire: the version held. sanlock's first is 1.
 * @param shared     a shared lease (SANLK_RES_SHARED) rather than an exclusive one
 * @param persistent a lease that outlives its process as an orphan (SANLK_RES_PERSISTENT) instead
 *                   of being released when the registration closes
 */
public record Resource(String lockspace, String name, List<Disk> disks, long version, boolean shared, boolean persistent) {
    /** SANLK_MAX_DISKS. */
    public static final int MAX_DISKS = 4;

    public Resource {
        Fields.name("lockspace name", lockspace);
        Fields.name("resource name", name);
        disks = List.copyOf(disks);
        if (disks.isEmpty() || disks.size() > MAX_DISKS) {
            throw new IllegalArgumentException("resource " + name + " has " + disks.size() + " disks: sanlock takes 1 to " + MAX_DISKS);
        }
        if (version < 0) {
            throw new IllegalArgumentException("resource " + name + ": version " + version + " is negative");
        }
    }

    /** An exclusive lease of one disk, any version. */
    public static Resource of(String lockspace, String name, Disk disk) {
        return new Resource(lockspace, name, List.of(disk), 0, false, false);
    }

    public Resource withVersion(long v) {
        return new Resource(lockspace, name, disks, v, shared, persistent);
    }

    public Resource withShared(boolean s) {
        return new Resource(lockspace, name, disks, version, s, persistent);
    }

    public Resource withPersistent(boolean p) {
        return new Resource(lockspace, name, disks, version, shared, p);
    }

    @Override
    public String toString() {
        return lockspace + ":" + name + ":" + disks + (shared ? ":SH" : ":" + version);
    }
}
