package org.headroom.migrate.internal;

/** Activate found no attachment for a volume: the destination never attached it, or detached it. */
final class NotAttachedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotAttachedException(String message) {
        super(message);
    }
}
