package org.headroom.mailbox.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on {@link EventsBlock#decode}: block 0 of the inbox as the SPM reads it, one 512-byte
 * sector (the {@code headroom} policy) or the whole 4 KiB block ({@code vdsm}). The corpus holds
 * the spec's events block, a never-written (zero) block and near misses.
 */
@ExtendWith(FuzzInputTimeout.class)
class EventsBlockFuzzTest {
    private static final int SECTOR = 512;

    @FuzzTest
    void decode(byte[] data) {
        byte[] sector = Arrays.copyOf(data, SECTOR);
        UUID event = EventsBlock.decode(sector);
        assertEquals(event, EventsBlock.decode(Arrays.copyOf(sector, MailboxLayout.BLOCK_SIZE)), "a sector or the block");

        boolean magic = sector[0] == 0 && sector[1] == 'e' && sector[2] == 'v' && sector[3] == 't';
        assertEquals(magic, event != null, "an event exactly when the block starts with \"\\0evt\"");
        if (event != null) {
            // The spec: bytes 4..19 are the UUID in RFC byte order.
            String hex = HexFormat.of().formatHex(sector, 4, 20);
            assertEquals(UUID.fromString(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                    + hex.substring(16, 20) + "-" + hex.substring(20)), event);
        }

        // What a host writes reads back, and an SPM that knows no events sees an empty slot in it.
        UUID written = new UUID(ByteBuffer.wrap(sector).getLong(20), ByteBuffer.wrap(sector).getLong(28));
        byte[] block = EventsBlock.encode(written);
        assertEquals(MailboxLayout.BLOCK_SIZE, block.length);
        assertEquals(written, EventsBlock.decode(block));
        assertTrue(Arrays.equals(block, 20, block.length, new byte[block.length - 20], 0, block.length - 20), "zeros after the UUID");
        assertInstanceOf(Message.Empty.class, Message.decode(block, 0));
    }
}
