package org.headroom.lease.sanlock;

/**
 * A host's state in a lockspace as this host's daemon sees it ({@code sanlk_host.flags & 0xF}),
 * judged from how recently it saw the host renew its delta lease.
 */
public enum HostState {
    /** Just joined: not watched long enough to tell. */
    UNKNOWN(1),
    /** Its delta lease is free (timestamp 0): it left cleanly, or never joined. */
    FREE(2),
    /** Renewing. */
    LIVE(3),
    /** Not renewed for 8 io timeouts: it may be killing its lease holders. */
    FAIL(4),
    /** Not renewed for 8 io timeouts plus the watchdog's fire timeout: its leases can be taken. */
    DEAD(5);

    private final int value;

    HostState(int value) {
        this.value = value;
    }

    /** SANLK_HOST_* value. */
    public int value() {
        return value;
    }

    /** The state in a {@code sanlk_host.flags} word; anything else is refused. */
    public static HostState fromFlags(int flags) {
        int v = flags & 0xF;
        for (HostState s : values()) {
            if (s.value == v) {
                return s;
            }
        }
        throw new IllegalArgumentException("sanlk_host.flags 0x" + Integer.toHexString(flags) + " has no host state (1..5)");
    }
}
