package org.headroom.lease.jobs;

import java.util.Objects;
import java.util.UUID;

/**
 * What the holder of a volume's lease writes beside the volume about the job it runs, so that the
 * next holder, or any host, can read it: the job, its host (and that host's sanlock generation,
 * which tells a host that joined again from the one that ran the job), the generation it expects,
 * where it stands. Written only while the lease is held: one writer at a time.
 *
 * @param state     RUNNING, DONE, FAILED or FENCED (resolved by reconnaissance: interrupted)
 * @param percent   0..100, or -1 when unknown
 */
public record JobRecord(UUID job, String type, int hostId, long hostGeneration, int generation, State state, String stage,
                        int percent, String error, long startedMillis, long updatedMillis) {

    public enum State { RUNNING, DONE, FAILED, FENCED }

    public JobRecord {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(error, "error");
        if (percent < -1 || percent > 100) {
            throw new IllegalArgumentException("percent must be -1..100: " + percent);
        }
        if (hostId < 1 || hostId > 2000) {
            throw new IllegalArgumentException("host id must be 1..2000: " + hostId);
        }
    }

    public JobRecord progressed(String newStage, int newPercent, long now) {
        return new JobRecord(job, type, hostId, hostGeneration, generation, state, newStage, newPercent, error, startedMillis, now);
    }

    public JobRecord ended(State end, String why, long now) {
        return new JobRecord(job, type, hostId, hostGeneration, generation, end, stage, end == State.DONE ? 100 : percent, why,
                startedMillis, now);
    }
}
