package org.headroom.virt.internal;

import java.util.List;
import java.util.Set;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.VmInfo;

/**
 * libvirt's domains as the adapter reads and drives them. Every call throws
 * {@link HypervisorException} when libvirt is down, knows no such VM or refuses; anything else
 * thrown is a fault of the adapter.
 */
interface Domains {

    /** The names of the active domains. */
    Set<String> active();

    /**
     * The VM's run state, with "io-error" as the reason of a VM paused by a write error, and
     * {@link org.headroom.api.hypervisor.VmState#MIGRATING} for one paused by a migration.
     */
    VmInfo state(String vm);

    /**
     * The writable disks as read now. The threshold is 0 (libvirt does not report it); the node
     * name is the top image's by index ({@code vda[N]}) when libvirt gives one.
     */
    List<DriveInfo> drives(String vm);

    /** The targets of the disks whose last write failed for lack of space. */
    List<String> outOfSpace(String vm);

    /** Arms (or with 0 clears) the one-shot write threshold of a node ({@code vda[N]}). */
    void setThreshold(String vm, String node, long threshold);

    void resume(String vm);

    void pause(String vm);
}
