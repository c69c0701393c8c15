package org.headroom.api.hypervisor;

/** The run state of a VM, as far as thin provisioning cares. */
public enum VmState {
    RUNNING, PAUSED, SHUTOFF,
    /** Not reachable right now (QMP socket closed, libvirt connection down). */
    UNREACHABLE
}
