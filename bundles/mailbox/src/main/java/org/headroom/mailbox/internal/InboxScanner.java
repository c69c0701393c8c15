package org.headroom.mailbox.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.headroom.mailbox.codec.Checksum;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;

/**
 * The SPM's reading of the inbox. Pure: given a host's block as read now, it says what to do, by
 * comparing every slot with the block as last read (all zeros at start, so that requests pending
 * from before a restart or failover are served again).
 *
 * <p>A block with a bad checksum is ignored whole for this pass, its last good reading kept, so a
 * torn or corrupt write is neither served nor forgotten: the host's next write is compared against
 * the last good one. A message is new when any of its 64 bytes differ (VDSM ignores a change in
 * the last byte alone; Headroom does not).
 */
public final class InboxScanner {

    /** What a changed slot asks for. */
    public sealed interface Action {
        int host();

        int slot();

        /** Extend {@code request} (its 64 bytes, for the reply) to {@code message.sizeMiB()}. */
        record Extend(int host, int slot, Message.Extend message, byte[] request) implements Action {
        }

        /** A request the SPM must refuse with a failure reply: another domain, or a size out of range. */
        record Refuse(int host, int slot, byte[] request, String reason) implements Action {
        }

        /** The host wrote CLEAN: echo CLEAN in its reply slot. */
        record Clean(int host, int slot) implements Action {
        }
    }

    /** The outcome of reading one block. */
    public record Scan(List<Action> actions, boolean badChecksum, List<String> malformed) {
    }

    private static final Scan NOTHING = new Scan(List.of(), false, List.of());

    private final UUID domain;
    private final byte[][] lastGood;

    public InboxScanner(UUID domain, int maxHostId) {
        this.domain = domain;
        this.lastGood = new byte[maxHostId + 1][];
    }

    /** Forgets every block: the next scan serves whatever is pending. */
    public void reset() {
        Arrays.fill(lastGood, null);
    }

    /** Forgets one host's block: its next scan serves whatever is pending there (answering twice is harmless). */
    public void forget(int host) {
        lastGood[host] = null;
    }

    public Scan scan(int host, byte[] block, int offset) {
        byte[] previous = lastGood[host];
        if (previous != null && Arrays.equals(block, offset, offset + MailboxLayout.BLOCK_SIZE, previous, 0, MailboxLayout.BLOCK_SIZE)) {
            return NOTHING;
        }
        byte[] current = Arrays.copyOfRange(block, offset, offset + MailboxLayout.BLOCK_SIZE);
        boolean empty = true;
        for (int i = 0; i < MailboxLayout.SLOTS && empty; i++) {
            empty = current[i * MailboxLayout.MESSAGE_SIZE] == 0;
        }
        if (!empty && !Checksum.valid(current)) {
            return new Scan(List.of(), true, List.of());
        }
        List<Action> actions = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            int o = i * MailboxLayout.MESSAGE_SIZE;
            if (current[o] == 0 || (previous != null && Arrays.equals(current, o, o + 64, previous, o, o + 64))) {
                continue;
            }
            Message m = Message.decode(current, o);
            byte[] request = Arrays.copyOfRange(current, o, o + 64);
            if (m instanceof Message.Clean) {
                actions.add(new Action.Clean(host, i));
            } else if (m instanceof Message.Extend e) {
                if (!domain.equals(e.domain())) {
                    actions.add(new Action.Refuse(host, i, request, "volume of another domain " + e.domain()));
                } else if (!e.sizeInRange()) {
                    actions.add(new Action.Refuse(host, i, request, "size " + Long.toUnsignedString(e.sizeMiB())
                            + " MiB out of range 1.." + Message.MAX_SIZE_MIB));
                } else {
                    actions.add(new Action.Extend(host, i, e, request));
                }
            } else if (m instanceof Message.Malformed bad) {
                malformed.add("host " + host + " slot " + i + ": " + bad.reason());
            }
        }
        lastGood[host] = current;
        return new Scan(actions, false, malformed);
    }
}
