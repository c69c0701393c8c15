package org.headroom.migrate.internal;

/** A call or a reply of another agent that is not what the protocol says; the message says how. */
final class MalformedRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedRequestException(String message) {
        super(message);
    }
}
