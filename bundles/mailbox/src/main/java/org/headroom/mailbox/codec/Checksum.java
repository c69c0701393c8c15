package org.headroom.mailbox.codec;

/**
 * The inbox block checksum: the sum of bytes 0..4091 taken as unsigned, modulo 2^32, stored
 * little-endian in bytes 4092..4095. Outbox blocks carry none.
 */
public final class Checksum {
    private Checksum() {
    }

    public static int compute(byte[] block) {
        int sum = 0;
        for (int i = 0; i < MailboxLayout.CHECKSUM_OFFSET; i++) {
            sum += block[i] & 0xff;
        }
        return sum;
    }

    public static int stored(byte[] block) {
        int o = MailboxLayout.CHECKSUM_OFFSET;
        return (block[o] & 0xff) | (block[o + 1] & 0xff) << 8 | (block[o + 2] & 0xff) << 16 | (block[o + 3] & 0xff) << 24;
    }

    public static boolean valid(byte[] block) {
        return compute(block) == stored(block);
    }

    /** Writes the checksum of bytes 0..4091 into the block. */
    public static void seal(byte[] block) {
        int sum = compute(block);
        int o = MailboxLayout.CHECKSUM_OFFSET;
        block[o] = (byte) sum;
        block[o + 1] = (byte) (sum >>> 8);
        block[o + 2] = (byte) (sum >>> 16);
        block[o + 3] = (byte) (sum >>> 24);
    }
}
