/**
 * The hypervisor contract: what the volume monitor needs from any hypervisor (QEMU over QMP,
 * libvirt) to keep thin drives ahead of their guests' writes.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.api.hypervisor;
