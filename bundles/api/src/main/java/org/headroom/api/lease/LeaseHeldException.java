package org.headroom.api.lease;

/**
 * Another host holds the lease. {@code failing}: that host stopped renewing and is not dead yet;
 * its lease can be taken once it is (sanlock's host_dead: 8 io timeouts + the watchdog's fire
 * timeout after its last renewal), and not sooner.
 */
public class LeaseHeldException extends LeaseException {
    private static final long serialVersionUID = 1L;
    private final int holder;
    private final boolean failing;

    public LeaseHeldException(String message, int holder, boolean failing, Throwable cause) {
        super(message, cause);
        this.holder = holder;
        this.failing = failing;
    }

    /** The holder's host id, 0 when unknown. */
    public int holder() {
        return holder;
    }

    public boolean failing() {
        return failing;
    }
}
