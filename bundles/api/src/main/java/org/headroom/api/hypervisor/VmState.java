package org.headroom.api.hypervisor;

/** The run state of a VM, as far as thin provisioning cares. */
public enum VmState {
    RUNNING, PAUSED, SHUTOFF,
    /**
     * Paused by a migration: on the destination until it lands, on the source for the switchover.
     * It writes nothing, and its drives are not to be read or armed meanwhile (libvirt holds the
     * domain for the migration: a call would wait for its end).
     */
    MIGRATING,
    /** Not reachable right now (QMP socket closed, libvirt connection down). */
    UNREACHABLE
}
