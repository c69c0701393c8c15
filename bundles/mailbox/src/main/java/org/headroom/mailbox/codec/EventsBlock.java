package org.headroom.mailbox.codec;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Block 0 of the inbox: {@code "\0evt"} and a random UUID in RFC byte order. A host writes a fresh
 * one after writing its own block; the SPM scans the inbox when the UUID differs from the last it
 * saw. An SPM that knows nothing of events reads the leading 0 as an empty slot.
 */
public final class EventsBlock {
    private static final byte[] MAGIC = {0, 'e', 'v', 't'};

    private EventsBlock() {
    }

    public static byte[] encode(UUID event) {
        byte[] block = new byte[MailboxLayout.BLOCK_SIZE];
        System.arraycopy(MAGIC, 0, block, 0, 4);
        ByteBuffer.wrap(block, 4, 16).putLong(event.getMostSignificantBits()).putLong(event.getLeastSignificantBits());
        return block;
    }

    /** The event UUID of a block read from offset 0 (at least 20 bytes), or null when there is none. */
    public static UUID decode(byte[] block) {
        for (int i = 0; i < 4; i++) {
            if (block[i] != MAGIC[i]) {
                return null;
            }
        }
        ByteBuffer b = ByteBuffer.wrap(block, 4, 16);
        return new UUID(b.getLong(), b.getLong());
    }
}
