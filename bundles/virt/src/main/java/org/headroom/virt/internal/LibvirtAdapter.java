package org.headroom.virt.internal;

import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.virt.LibvirtStatus;

/**
 * The libvirt adapter as the rest of this bundle sees it (a service of this bundle only): the hook
 * receiver tells it of VMs starting and stopping, the bundle's service reports its status.
 */
public interface LibvirtAdapter {

    /** Tells the adapter's listeners about a VM the hook saw start or stop, in order with libvirt's own events. */
    void announce(DriveEvent event);

    LibvirtStatus status();
}
