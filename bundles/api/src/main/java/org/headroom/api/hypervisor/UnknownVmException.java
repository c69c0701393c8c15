package org.headroom.api.hypervisor;

/** The hypervisor knows no VM of that name (any more): it stopped, was undefined or moved away. */
public class UnknownVmException extends HypervisorException {
    private static final long serialVersionUID = 1L;
    private final String vm;

    public UnknownVmException(String vm, String message) {
        super(message);
        this.vm = vm;
    }

    public UnknownVmException(String vm, String message, Throwable cause) {
        super(message, cause);
        this.vm = vm;
    }

    public String vm() {
        return vm;
    }
}
