package org.headroom.api.jobs;

/** Where a storage job stands, as storage tells it. */
public enum JobState {
    /** Its host holds the volume's lease and is live. */
    RUNNING,
    /** It completed: the volume is LEGAL at the generation after the one the job expected. */
    DONE,
    /** It ended with an error, recorded by its host. */
    FAILED,
    /** Its host died or lost the lease mid-work: the volume is ILLEGAL; reconnaissance resolves it. */
    INTERRUPTED,
    /** No record of it on the volume: it never started (or a later job's record replaced it). */
    NEVER_RAN
}
