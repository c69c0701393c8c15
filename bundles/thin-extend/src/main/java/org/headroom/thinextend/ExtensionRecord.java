package org.headroom.thinextend;

import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.storage.VolumeRef;

/**
 * One completed extension, with its timings (nanoseconds): the same figures as its log line.
 *
 * @param id          the drive's extension number: each extension has its own
 * @param trigger     what started it: threshold, out-of-space, check, admin, retry
 * @param rule        what chose its size
 * @param waitNanos   trigger → request handed to the extend service
 * @param extendNanos request → the SPM's answer (mailbox round trip, or in-process on the SPM)
 * @param refreshNanos answer → this host refreshed the volume and read its new size
 * @param rearmNanos  → the threshold armed again
 * @param totalNanos  trigger → re-armed
 * @param resumed     the VM was paused for lack of space and was resumed
 * @param late        the answer came after the deadline, when the drive had been reported failed
 */
public record ExtensionRecord(DriveRef drive, VolumeRef volume, long id, String trigger, String rule,
                              long fromSize, long toSize, long waitNanos, long extendNanos, long refreshNanos,
                              long rearmNanos, long totalNanos, boolean resumed, boolean late) {
}
