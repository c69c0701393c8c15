package org.headroom.mailbox.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.headroom.mailbox.codec.Checksum;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on the SPM's reading of a host's inbox block ({@link InboxScanner#scan}, with its
 * {@link Checksum}): the input is up to three successive readings of host 250's block, 4 KiB each.
 * Each reading is scanned as read and, when its checksum is wrong, again with the checksum a host
 * would have written. What the scanner says is checked against the spec's protocol: a non-empty
 * block with a bad checksum is ignored whole and its last good reading kept; otherwise every slot
 * that changed since that reading is served once (extend, refuse, CLEAN echo, or counted as
 * malformed), and nothing else. The corpus holds blocks written by the host side: requests, CLEAN,
 * a full block, another domain's request, a size out of range, a torn write, the spec's vectors.
 */
@ExtendWith(FuzzInputTimeout.class)
class InboxBlockFuzzTest {
    private static final UUID DOMAIN = UUID.fromString("3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10");
    private static final int HOST = MailboxLayout.DEFAULT_HOSTS;
    private static final int READINGS = 3;

    @FuzzTest
    void scan(byte[] data) {
        InboxScanner scanner = new InboxScanner(DOMAIN, HOST);
        byte[] lastGood = null;
        int readings = Math.min(READINGS, Math.max(1, (data.length + MailboxLayout.BLOCK_SIZE - 1) / MailboxLayout.BLOCK_SIZE));
        for (int r = 0; r < readings; r++) {
            byte[] read = Arrays.copyOfRange(data, r * MailboxLayout.BLOCK_SIZE, (r + 1) * MailboxLayout.BLOCK_SIZE);
            lastGood = scanAndCheck(scanner, read, lastGood);
            if (!Checksum.valid(read)) {
                byte[] sealed = read.clone();
                Checksum.seal(sealed);
                lastGood = scanAndCheck(scanner, sealed, lastGood);
            }
        }
        // Forgotten (no worker was free): the next scan serves everything pending again.
        scanner.forget(HOST);
        if (lastGood != null) {
            scanAndCheck(scanner, lastGood, null);
        }
    }

    /** Scans {@code block} as the SPM does (inside a read of several hosts' blocks); returns the new last good reading. */
    private static byte[] scanAndCheck(InboxScanner scanner, byte[] block, byte[] lastGood) {
        byte[] blocks = new byte[3 * MailboxLayout.BLOCK_SIZE];
        Arrays.fill(blocks, (byte) 0x5A); // the neighbours' blocks: never read as this host's
        System.arraycopy(block, 0, blocks, MailboxLayout.BLOCK_SIZE, MailboxLayout.BLOCK_SIZE);
        InboxScanner.Scan scan = scanner.scan(HOST, blocks, MailboxLayout.BLOCK_SIZE);

        if (lastGood != null && Arrays.equals(block, lastGood)) {
            assertNothing(scan, false);
            return lastGood;
        }
        if (!empty(block) && !Checksum.valid(block)) {
            assertNothing(scan, true);
            return lastGood;
        }
        assertFalse(scan.badChecksum());
        List<InboxScanner.Action> actions = scan.actions();
        List<String> malformed = scan.malformed();
        int action = 0;
        int bad = 0;
        for (int slot = 0; slot < MailboxLayout.SLOTS; slot++) {
            int o = slot * MailboxLayout.MESSAGE_SIZE;
            if (block[o] == 0 || (lastGood != null && Arrays.equals(block, o, o + 64, lastGood, o, o + 64))) {
                continue;
            }
            int s = slot;
            Message m = Message.decode(block, o);
            if (m instanceof Message.Malformed) {
                assertTrue(bad < malformed.size(), () -> "slot " + s + ": malformed, not counted");
                assertTrue(malformed.get(bad++).startsWith("host " + HOST + " slot " + slot + ": "), malformed::toString);
                continue;
            }
            assertTrue(action < actions.size(), () -> "slot " + s + " changed, not served: " + actions);
            InboxScanner.Action a = actions.get(action++);
            assertEquals(HOST, a.host());
            assertEquals(slot, a.slot());
            byte[] message = Arrays.copyOfRange(block, o, o + MailboxLayout.MESSAGE_SIZE);
            if (m instanceof Message.Clean) {
                assertInstanceOf(InboxScanner.Action.Clean.class, a);
            } else if (m instanceof Message.Extend e && e.domain().equals(DOMAIN) && e.sizeInRange()) {
                assertEquals(e, assertInstanceOf(InboxScanner.Action.Extend.class, a).message());
                assertArrayEquals(message, ((InboxScanner.Action.Extend) a).request());
            } else {
                // another domain's volume or a size out of range: a failure reply
                assertArrayEquals(message, assertInstanceOf(InboxScanner.Action.Refuse.class, a).request());
            }
        }
        assertEquals(action, actions.size(), () -> "actions for no changed slot: " + actions);
        assertEquals(bad, malformed.size(), () -> "malformed reports for no changed slot: " + malformed);

        // Served once: the same reading again asks for nothing.
        assertNothing(scanner.scan(HOST, blocks, MailboxLayout.BLOCK_SIZE), false);
        return block.clone();
    }

    private static void assertNothing(InboxScanner.Scan scan, boolean badChecksum) {
        assertEquals(badChecksum, scan.badChecksum());
        assertTrue(scan.actions().isEmpty(), scan.actions()::toString);
        assertTrue(scan.malformed().isEmpty(), scan.malformed()::toString);
    }

    /** Every slot's first byte 0: nothing to validate (the spec checks the checksum at the first non-empty slot). */
    private static boolean empty(byte[] block) {
        for (int slot = 0; slot < MailboxLayout.SLOTS; slot++) {
            if (block[slot * MailboxLayout.MESSAGE_SIZE] != 0) {
                return false;
            }
        }
        return true;
    }
}
