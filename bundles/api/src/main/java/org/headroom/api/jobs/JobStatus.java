package org.headroom.api.jobs;

import java.util.UUID;
import org.headroom.api.storage.VolumeRef;

/**
 * A storage job as read from storage.
 *
 * @param hostId     the host that ran it
 * @param generation the volume generation it expected (its result, when DONE, is this + 1)
 * @param stage      what it was doing, in words; "" when it did not say
 * @param percent    0..100, or -1 when unknown
 * @param error      why it failed or was interrupted, or ""
 */
public record JobStatus(UUID job, VolumeRef volume, String type, JobState state, int hostId, int generation, String stage,
                        int percent, String error) {
}
