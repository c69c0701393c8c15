package org.headroom.api.jobs;

import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.headroom.api.storage.VolumeRef;

/**
 * Runs storage jobs as VDSM's SDM runs them, with their outcome on storage:
 * acquire the volume's lease → check the generation the caller expects (another: refused) →
 * record the job → LEGALITY=ILLEGAL → the work → LEGAL and GEN+1 in one metadata write → record
 * the outcome → release. {@link #status} answers from storage alone, on any host.
 */
public interface StorageJobs {

    /** A job started: its id at once, its end later. */
    record Started(UUID job, CompletionStage<JobStatus> done) {
    }

    /**
     * Starts {@code work} on {@code volume} as job {@code job} (the caller's id, so that it can ask
     * about it whatever happens). Fails at once, with {@link JobException}, when the lease is held
     * elsewhere or the volume is not at {@code expectedGeneration}.
     */
    Started start(UUID job, String type, VolumeRef volume, int expectedGeneration, JobWork work);

    /** Job {@code job} of {@code volume}, as storage tells it now. */
    JobStatus status(UUID job, VolumeRef volume);

    /**
     * The last job run on {@code volume}, whichever it was, as storage tells it now; empty when no
     * job ever ran on it.
     */
    java.util.Optional<JobStatus> latest(VolumeRef volume);

    /**
     * Reconnaissance for a volume whose job's host stopped answering: takes the volume's lease
     * (once that host is dead), reads the outcome, and if the job was interrupted records it so and
     * bumps the generation, so that the stale job, should it come back, fails its own check.
     * Returns the job's status as resolved.
     *
     * @throws org.headroom.api.lease.LeaseHeldException the lease is still held (by a live host, or
     *                                                   one not dead yet): ask again later
     */
    JobStatus reconnoiter(VolumeRef volume);
}
