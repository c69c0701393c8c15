package org.headroom.mailbox.codec;

/**
 * Where things are in the inbox and outbox volumes (both laid out alike). Host {@code h} owns the
 * 4096-byte block at {@code h × 4096}; a block holds 63 message slots of 64 bytes and, in the
 * inbox, a checksum in its last 4 bytes. Block 0 of the inbox is the events block.
 */
public final class MailboxLayout {
    public static final int BLOCK_SIZE = 4096;
    public static final int MESSAGE_SIZE = 64;
    public static final int SLOTS = 63;
    public static final int CHECKSUM_OFFSET = 4092;
    /** Hosts a pool may have: sanlock's largest host id. */
    public static final int MAX_HOSTS = 2000;
    /** VDSM's default maxHostID, and the hosts whose blocks are zeroed when a domain is made. */
    public static final int DEFAULT_HOSTS = 250;
    /** Each of inbox and outbox. */
    public static final long VOLUME_SIZE = 16L << 20;

    private MailboxLayout() {
    }

    public static long blockOffset(int hostId) {
        return (long) hostId * BLOCK_SIZE;
    }

    /** A message's id in VDSM's numbering (logs and interop). */
    public static int messageId(int hostId, int slot) {
        return hostId * 64 + slot;
    }

    public static void checkHostId(int hostId, int maxHostId) {
        if (hostId < 1 || hostId > maxHostId) {
            throw new IllegalArgumentException("host id " + hostId + " out of range 1.." + maxHostId);
        }
    }
}
