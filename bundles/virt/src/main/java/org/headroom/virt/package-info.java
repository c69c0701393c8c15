/**
 * The virt bundle's service: the state of its libvirt connection and what its qemu hook receiver
 * did, as immutable snapshots for the shell commands, the MBean and tools.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.virt;
