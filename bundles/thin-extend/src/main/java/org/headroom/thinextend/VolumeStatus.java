package org.headroom.thinextend;

import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.storage.VolumeRef;

/**
 * One watched thin drive as the monitor sees it.
 *
 * @param watched     the drive is watched now; false: a volume watched before (its VM stopped), shown with its history
 * @param state       unset, armed, extending, disabled (at its largest size), failed; "stopped" when not watched
 * @param extensions  extensions, pauses, failures: every one this host saw for the volume, across VM and agent restarts
 * @param threshold   the armed write threshold, bytes; 0 when none
 * @param lastMillis  the last extension, threshold event to re-armed
 * @param trigger     what started the last extension (threshold, out-of-space, check, admin, retry), or ""
 * @param rule        the rule that chose the last extension's size, in words, or ""
 * @param problem     why the drive failed, or ""
 */
public record VolumeStatus(DriveRef drive, VolumeRef volume, boolean watched, String policy, String state, long capacity,
                           long physical, long allocation, long threshold, long extensions, long pauses,
                           long failures, double lastMillis, String trigger, String rule, String problem) {
}
