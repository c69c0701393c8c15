package org.headroom.mailbox.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on {@link Message#decode}: any 64 bytes a peer can put in a slot. What it decodes is what
 * the spec's table says (read by {@link SpecLayoutReader}, which shares no code with the codec);
 * a request re-encoded gives back the bytes its reply is matched by; a malformed message's reason is
 * short and printable; anything the host side encodes decodes to itself. The corpus holds the
 * spec's messages (an extend request and its replies, CLEAN, an empty slot) and near misses.
 */
@ExtendWith(FuzzInputTimeout.class)
class MessageFuzzTest {

    @FuzzTest
    void decode(byte[] data) {
        byte[] m = Arrays.copyOf(data, MailboxLayout.MESSAGE_SIZE);
        Message decoded = Message.decode(m, 0);

        // Inside a block, between other slots: it reads its own 64 bytes and no others.
        int slot = data.length % MailboxLayout.SLOTS;
        int at = MailboxLayout.BLOCK_SIZE + slot * MailboxLayout.MESSAGE_SIZE;
        byte[] inbox = new byte[MailboxLayout.BLOCK_SIZE * 2];
        Arrays.fill(inbox, (byte) 0xA5);
        System.arraycopy(m, 0, inbox, at, MailboxLayout.MESSAGE_SIZE);
        assertEquals(decoded, Message.decode(inbox, at));

        assertEquals(m[0] == 0, decoded instanceof Message.Empty, "empty exactly when the first byte is 0");
        assertEquals(allOnes(m), decoded instanceof Message.Clean, "CLEAN exactly when all bytes are 1");
        if (decoded instanceof Message.Extend e) {
            assertEquals("1xtnd", new String(m, 0, 5, StandardCharsets.US_ASCII));
            String size = new String(m, 37, 16, StandardCharsets.US_ASCII);
            assertEquals(Long.parseUnsignedLong(size, 16), e.sizeMiB(), size);
            assertEquals(Long.compareUnsigned(e.sizeMiB() - 1, Message.MAX_SIZE_MIB) < 0, e.sizeInRange());
            if (e.sizeMiB() >= 0) { // the spec's reading takes the size as a signed long
                SpecLayoutReader.Request spec = SpecLayoutReader.message(inbox, 1, slot);
                assertEquals(spec.domain(), e.domain());
                assertEquals(spec.volume(), e.volume());
            }
            if (e.sizeInRange()) {
                // A reply is matched to its request by bytes 0..36: re-encoding must give them back.
                byte[] again = Message.encodeExtend(e.domain(), e.volume(), e.sizeMiB());
                assertArrayEquals(Arrays.copyOf(m, Message.IDENTITY_LENGTH), Arrays.copyOf(again, Message.IDENTITY_LENGTH));
                assertEquals(e, Message.decode(again, 0));
            }
        } else if (decoded instanceof Message.Malformed bad) {
            // The reason goes to the log as it is: short and printable.
            assertTrue(bad.reason().length() < 80 && bad.reason().chars().allMatch(c -> c >= 0x20 && c < 0x7f), bad.reason());
        }

        // Any request the host side can encode decodes to itself.
        ByteBuffer b = ByteBuffer.wrap(m);
        UUID domain = new UUID(b.getLong(0), b.getLong(8));
        UUID volume = new UUID(b.getLong(16), b.getLong(24));
        long sizeMiB = Long.remainderUnsigned(b.getLong(32), Message.MAX_SIZE_MIB + 1);
        assertEquals(new Message.Extend(domain, volume, sizeMiB), Message.decode(Message.encodeExtend(domain, volume, sizeMiB), 0));
    }

    private static boolean allOnes(byte[] m) {
        for (byte x : m) {
            if (x != 1) {
                return false;
            }
        }
        return true;
    }
}
