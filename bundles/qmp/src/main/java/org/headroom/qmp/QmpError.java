package org.headroom.qmp;

/** QEMU refused a command: the error reply's class and description, as QEMU sent them. */
public class QmpError extends QmpException {
    private static final long serialVersionUID = 1L;
    private final String errorClass;
    private final String description;
    private final String command;

    public QmpError(String command, String errorClass, String description) {
        super(command + " failed: " + errorClass + ": " + description);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    /** QEMU's error class, e.g. "GenericError", "DeviceNotFound", "CommandNotFound". */
    public String errorClass() {
        return errorClass;
    }

    public String description() {
        return description;
    }

    public String command() {
        return command;
    }
}
