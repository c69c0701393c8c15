package org.headroom.api.hypervisor;

/** A hypervisor call failed: unknown VM or drive, a refused command, a lost connection. */
public class HypervisorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HypervisorException(String message) {
        super(message);
    }

    public HypervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
