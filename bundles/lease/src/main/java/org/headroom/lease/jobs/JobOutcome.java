package org.headroom.lease.jobs;

import java.util.Optional;
import java.util.UUID;
import org.headroom.api.jobs.JobState;
import org.headroom.api.jobs.JobStatus;
import org.headroom.api.lease.LeaseOwner;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeRef;

/**
 * A job's status from what storage says, and nothing else: the job record beside the volume, the
 * volume's metadata, and who holds its lease. Pure.
 *
 * <p>The steps of a job, in order, each one write: record RUNNING → metadata ILLEGAL → the work →
 * metadata LEGAL at GEN+1 → record DONE. So whatever the moment a host died, storage tells:
 * <ul>
 *   <li>record RUNNING, the lease held by the job's host while it lives (same sanlock
 *       generation): RUNNING;</li>
 *   <li>record DONE, or record RUNNING with the metadata LEGAL at GEN+1 (the host died between
 *       the last two writes): DONE;</li>
 *   <li>record FAILED: FAILED, with its error;</li>
 *   <li>record RUNNING and the lease not held by its live host: INTERRUPTED (the volume ILLEGAL);
 *       record FENCED: INTERRUPTED, resolved by reconnaissance;</li>
 *   <li>no record of this job: NEVER_RAN.</li>
 * </ul>
 */
public final class JobOutcome {
    private JobOutcome() {
    }

    public static JobStatus of(UUID job, VolumeRef volume, JobRecord record, VolumeMetadata metadata, Optional<LeaseOwner> owner) {
        if (record == null || !record.job().equals(job)) {
            return new JobStatus(job, volume, "", JobState.NEVER_RAN, 0, -1, "", -1, "");
        }
        JobState state = switch (record.state()) {
            case DONE -> JobState.DONE;
            case FAILED -> JobState.FAILED;
            case FENCED -> JobState.INTERRUPTED;
            case RUNNING -> {
                if (completed(record, metadata)) {
                    yield JobState.DONE;
                }
                yield heldByItsHost(record, owner) ? JobState.RUNNING : JobState.INTERRUPTED;
            }
        };
        String error = state == JobState.INTERRUPTED && record.error().isEmpty()
                ? "host " + record.hostId() + " stopped at '" + record.stage() + "' without releasing the volume's lease"
                : record.error();
        int percent = state == JobState.DONE ? 100 : record.percent();
        return new JobStatus(job, volume, record.type(), state, record.hostId(), record.generation(), record.stage(), percent,
                error);
    }

    /** The metadata shows the job's last step done: LEGAL at the generation after the expected one. */
    static boolean completed(JobRecord record, VolumeMetadata metadata) {
        return metadata != null && metadata.legality() == VolumeMetadata.Legality.LEGAL
                && metadata.generation() == VolumeMetadata.nextGeneration(record.generation());
    }

    /** The lease is held by the job's own host, in the same life of that host, and the host is not dead. */
    static boolean heldByItsHost(JobRecord record, Optional<LeaseOwner> owner) {
        return owner.isPresent() && owner.get().hostId() == record.hostId()
                && owner.get().generation() == record.hostGeneration() && !owner.get().hostState().equals("DEAD");
    }
}
