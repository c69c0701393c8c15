package org.headroom.api.jobs;

/** A job could not start: its volume's lease is held, its generation is not the one expected, ... */
public class JobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobException(String message) {
        super(message);
    }

    public JobException(String message, Throwable cause) {
        super(message, cause);
    }
}
