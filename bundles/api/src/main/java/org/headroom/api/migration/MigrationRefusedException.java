package org.headroom.api.migration;

/** This host cannot take part in a migration as asked: the reason says why. */
public class MigrationRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MigrationRefusedException(String message) {
        super(message);
    }

    public MigrationRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
