package org.headroom.api.jobs;

/** What a job does to its volume, with the volume's lease held and its metadata ILLEGAL meanwhile. */
@FunctionalInterface
public interface JobWork {

    /**
     * Does the work. Throwing fails the job and leaves the volume ILLEGAL (its content is unknown),
     * unless it is a {@link UnchangedException}: the work changed nothing, and the volume is LEGAL
     * again at its generation.
     */
    void run(JobProgress progress) throws Exception;

    /** The work failed before it changed anything. */
    class UnchangedException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnchangedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
