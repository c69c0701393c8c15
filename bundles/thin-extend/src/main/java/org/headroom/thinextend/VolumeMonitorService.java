package org.headroom.thinextend;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.headroom.api.hypervisor.DriveRef;

/**
 * The volume monitor: keeps every thin drive of every hypervisor ahead of its guest's writes.
 * What the shell commands, the MBean and tools see of it.
 */
public interface VolumeMonitorService {

    /** Every watched thin drive, read on the monitor's thread: a consistent snapshot. */
    default CompletionStage<List<VolumeStatus>> volumes() {
        return volumes(false);
    }

    /**
     * With {@code all}, also every volume this host watched before and watches no more (its VM
     * stopped or moved), with its figures as they were: the history outlives VMs and restarts.
     */
    CompletionStage<List<VolumeStatus>> volumes(boolean all);

    /** Counters and latencies since the monitor started. */
    MonitorStatus status();

    /**
     * An admin's extension of a watched drive: to {@code size} bytes, or the policy's next size
     * when 0. Completes with the size reached; fails with the reason (unknown drive, SPM refused).
     */
    CompletionStage<Long> extend(DriveRef drive, long size);

    /** Tells {@code listener} of every completed extension, on the monitor's thread; close to stop. */
    AutoCloseable onExtension(Consumer<ExtensionRecord> listener);
}
