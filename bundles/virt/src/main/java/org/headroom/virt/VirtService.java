package org.headroom.virt;

import java.util.Optional;

/** The libvirt adapter and the qemu hook receiver as an admin sees them. */
public interface VirtService {

    /** The libvirt connection and its counters; empty while libvirt's VMs are not served (no etc/org.headroom.virt.cfg). */
    Optional<LibvirtStatus> libvirt();

    /** What the qemu hook receiver did since it started. */
    HookStatus hooks();
}
