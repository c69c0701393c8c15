package org.headroom.api.migration;

/** A migration's destination could not refresh an extended volume, or sees it smaller than extended. */
public class DestinationRefreshException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DestinationRefreshException(String message) {
        super(message);
    }

    public DestinationRefreshException(String message, Throwable cause) {
        super(message, cause);
    }
}
