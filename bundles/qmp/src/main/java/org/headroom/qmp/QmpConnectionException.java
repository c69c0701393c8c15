package org.headroom.qmp;

/** The connection could not be made, or was lost (QEMU exited, the socket closed) or closed. */
public class QmpConnectionException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpConnectionException(String message) {
        super(message);
    }

    public QmpConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
