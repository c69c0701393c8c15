package org.headroom.api.jobs;

/** Where a job's work stands; written to storage, so another host reads it while the job runs. */
@FunctionalInterface
public interface JobProgress {

    /** {@code percent} 0..100, or -1 when unknown. */
    void report(String stage, int percent);
}
