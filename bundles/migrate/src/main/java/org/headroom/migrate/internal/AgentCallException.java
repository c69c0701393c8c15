package org.headroom.migrate.internal;

/** A call to another agent failed: unreachable, refused, timed out, or answered with an error. */
final class AgentCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AgentCallException(String message) {
        super(message);
    }

    AgentCallException(String message, Throwable cause) {
        super(message, cause);
    }
}
