package org.headroom.lease.sanlock;

/**
 * What the holder's daemon does to the holder when it sees a request for its lease (at its next
 * renewal, within 2 io timeouts).
 */
public enum ForceMode {
    /** SIGKILL the holding process (SIGTERM if it restricted SIGKILL): SANLK_REQ_FORCE. */
    FORCE(1),
    /** Run the holder's killpath, or SIGTERM it without one: SANLK_REQ_GRACEFUL. */
    GRACEFUL(2);

    private final int value;

    ForceMode(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
