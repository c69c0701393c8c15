package org.headroom.qmp;

/** No reply within the command's timeout. QEMU may still run the command later. */
public class QmpTimeoutException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpTimeoutException(String message) {
        super(message);
    }
}
