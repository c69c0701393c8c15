package org.headroom.mailbox.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import org.headroom.mailbox.codec.Checksum;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on the host's reading of its outbox block ({@link HostSlots#start} and
 * {@link HostSlots#onOutbox}), the block the SPM writes. The input is 4 KiB blocks: the outbox as
 * found at start (replies left from before a restart), then the requests this host sends (a block
 * of messages; each extend request in it is submitted), then the outbox as read after, one block
 * per reading. Checked against the spec's handshake: a reply is delivered, once, to the caller of
 * the request whose bytes 0..36 it repeats, with the size it carries, and no reply is missed; CLEAN
 * then goes into that slot, and the slot is freed when the SPM echoes CLEAN; nothing else changes
 * the block, whose checksum is always right. The corpus holds real rounds: requests, their replies
 * (one a failure), the CLEAN echoes, a restart with stale replies, duplicates, a reply for another
 * volume.
 */
@ExtendWith(FuzzInputTimeout.class)
class OutboxBlockFuzzTest {
    private static final int SLOTS = MailboxLayout.SLOTS;
    private static final int MAX_READINGS = 4;

    @FuzzTest
    void read(byte[] data) {
        HostSlots<Integer> slots = new HostSlots<>(SLOTS);
        // The model: each slot's request (and its caller) while REQUESTED; CLEANING slots.
        byte[][] requests = new byte[SLOTS][];
        Integer[] callers = new Integer[SLOTS];
        boolean[] cleaning = new boolean[SLOTS];

        byte[] stale = block(data, 0);
        slots.start(stale);
        for (int slot = 0; slot < SLOTS; slot++) {
            Message left = Message.decode(stale, offset(slot));
            cleaning[slot] = left instanceof Message.Extend || left instanceof Message.Malformed;
        }
        assertBlock(slots, requests, cleaning);
        assertEquals(0, slots.requested());
        slots.written();

        byte[] toSend = block(data, 1);
        for (int i = 0; i < SLOTS; i++) {
            if (!(Message.decode(toSend, offset(i)) instanceof Message.Extend e)) {
                continue;
            }
            byte[] request = Message.encodeExtend(e.domain(), e.volume(), Math.min(Math.max(e.sizeMiB(), 0), Message.MAX_SIZE_MIB));
            HostSlots.Submitted<Integer> submitted = slots.submit(request, i, i);
            if (submitted instanceof HostSlots.Submitted.Added<Integer> added) {
                int slot = added.slot();
                assertTrue(requests[slot] == null && !cleaning[slot], () -> "slot " + slot + " was not free");
                requests[slot] = request;
                callers[slot] = i;
            } else if (submitted instanceof HostSlots.Submitted.Duplicate<Integer> duplicate) {
                assertArrayEquals(requests[duplicate.slot()], request);
                assertEquals(callers[duplicate.slot()], duplicate.pending());
            } else {
                assertEquals(SLOTS, count(requests) + count(cleaning), "full only when no slot is free");
            }
        }
        assertBlock(slots, requests, cleaning);
        slots.written();

        for (int r = 2; r < 2 + MAX_READINGS && r * MailboxLayout.BLOCK_SIZE < data.length; r++) {
            byte[] outbox = block(data, r);
            List<HostSlots.Reply<Integer>> replies = slots.onOutbox(outbox);
            boolean[] replied = new boolean[SLOTS];
            for (HostSlots.Reply<Integer> reply : replies) {
                int slot = reply.slot();
                assertFalse(replied[slot], "one reply per slot");
                replied[slot] = true;
                assertNotNull(requests[slot], "a reply to a request in flight");
                assertEquals(callers[slot], reply.token());
                assertArrayEquals(requests[slot], reply.request());
                assertEquals(((Message.Extend) Message.decode(outbox, offset(slot))).sizeMiB(), reply.sizeMiB());
            }
            for (int slot = 0; slot < SLOTS; slot++) {
                if (cleaning[slot] && Message.isClean(outbox, offset(slot))) {
                    cleaning[slot] = false;
                } else if (requests[slot] != null) {
                    boolean answered = Arrays.equals(outbox, offset(slot), offset(slot) + Message.IDENTITY_LENGTH,
                            requests[slot], 0, Message.IDENTITY_LENGTH)
                            && Message.decode(outbox, offset(slot)) instanceof Message.Extend;
                    int s = slot;
                    assertEquals(answered, replied[slot], () -> "slot " + s + ": a reply is never missed, nor invented");
                    if (answered) {
                        requests[slot] = null;
                        callers[slot] = null;
                        cleaning[slot] = true;
                    }
                }
            }
            assertBlock(slots, requests, cleaning);
            assertEquals(count(requests), slots.requested());
            assertEquals(count(requests) + count(cleaning) > 0, slots.busy());
            slots.written();
            assertEquals(slots.busy(), slots.awaitsSpm(), "everything written: the SPM has it all");
        }
    }

    /** The block as it must be on storage: each request in its slot, CLEAN where cleaning, zeros elsewhere, sealed. */
    private static void assertBlock(HostSlots<Integer> slots, byte[][] requests, boolean[] cleaning) {
        byte[] block = slots.block();
        assertTrue(Checksum.valid(block), "sealed");
        byte[] clean = Message.clean();
        byte[] empty = new byte[MailboxLayout.MESSAGE_SIZE];
        for (int slot = 0; slot < SLOTS; slot++) {
            byte[] expected = requests[slot] != null ? requests[slot] : cleaning[slot] ? clean : empty;
            int s = slot;
            assertTrue(Arrays.equals(block, offset(slot), offset(slot) + MailboxLayout.MESSAGE_SIZE, expected, 0, expected.length),
                    () -> "slot " + s);
        }
    }

    private static int count(Object[] slots) {
        return (int) Arrays.stream(slots).filter(x -> x != null).count();
    }

    private static int count(boolean[] slots) {
        int n = 0;
        for (boolean b : slots) {
            n += b ? 1 : 0;
        }
        return n;
    }

    private static byte[] block(byte[] data, int index) {
        int from = Math.min(data.length, index * MailboxLayout.BLOCK_SIZE);
        return Arrays.copyOfRange(data, from, from + MailboxLayout.BLOCK_SIZE);
    }

    private static int offset(int slot) {
        return slot * MailboxLayout.MESSAGE_SIZE;
    }
}
