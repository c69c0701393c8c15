package org.headroom.api.hypervisor;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A hypervisor that runs VMs with thin drives. Implementations are OSGi services, one per kind
 * ({@link #type()}: "qmp" for QEMU processes attached directly, "libvirt" for libvirt's domains).
 *
 * <p>Calls that talk to the hypervisor return {@link CompletionStage}s so that the volume monitor
 * never blocks a thread on a slow QEMU; they fail with {@link HypervisorException} (an unknown VM
 * or drive, a refused command, a lost connection).
 */
public interface Hypervisor {

    /** The kind of hypervisor: "qmp", "libvirt". */
    String type();

    /** The VMs this hypervisor currently knows, running or not. */
    List<VmInfo> vms();

    /** The VM's writable drives, with their sizes, allocation and armed threshold as read now. */
    CompletionStage<List<DriveInfo>> drives(String vm);

    /** One drive, read now. */
    default CompletionStage<DriveInfo> drive(DriveRef drive) {
        return drives(drive.vm()).thenApply(list -> list.stream()
                .filter(d -> d.ref().equals(drive))
                .findFirst()
                .orElseThrow(() -> new HypervisorException("VM " + drive.vm() + " has no writable drive " + drive.drive()
                        + " (drives: " + list.stream().map(d -> d.ref().drive()).toList() + ")")));
    }

    /**
     * Arms a one-shot write threshold on the node whose offsets are the volume's (for qcow2 on a
     * block volume: the protocol node under the qcow2 node). A threshold of 0 clears it.
     */
    CompletionStage<Void> setWriteThreshold(DriveRef drive, long threshold);

    /** Resumes a VM that is paused (after an extension freed it from ENOSPC). */
    CompletionStage<Void> resume(String vm);

    /** Pauses a VM (its allocation cannot be right, and letting it write would not help). */
    CompletionStage<Void> pause(String vm);

    /**
     * Subscribes to drive events of all VMs of this hypervisor. Events are delivered on a thread
     * of the hypervisor, in order per VM. Close the returned handle to unsubscribe.
     */
    AutoCloseable subscribe(DriveEventListener listener);
}
