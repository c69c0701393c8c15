package org.headroom.api.hypervisor;

/**
 * A VM known to a hypervisor.
 *
 * @param name       the VM's name, unique on this host
 * @param hypervisor the {@link Hypervisor#type()} that serves it
 * @param state      its run state as last seen
 * @param reason     why it is in that state when the hypervisor says ("io-error" for ENOSPC), or ""
 */
public record VmInfo(String name, String hypervisor, VmState state, String reason) {
}
