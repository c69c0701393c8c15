package org.headroom.api.lease;

/** A lease could not be had or given up; the message says which and why (sanlock's code and name). */
public class LeaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LeaseException(String message) {
        super(message);
    }

    public LeaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
