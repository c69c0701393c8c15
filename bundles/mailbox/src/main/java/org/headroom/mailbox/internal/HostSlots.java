package org.headroom.mailbox.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.headroom.mailbox.codec.Checksum;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;

/**
 * The host's side of the protocol, for one host's 63 slots. Pure: it holds this host's inbox block
 * as it should be on storage, and is told what its outbox block reads.
 *
 * <p>A slot goes FREE → REQUESTED (the request is in the block) → CLEANING (the SPM replied; CLEAN
 * is in the block) → FREE (the SPM echoed CLEAN; the slot is zeroed). A slot is reused only after
 * that handshake, so an extend message in a REQUESTED slot's reply position is always the reply to
 * that request.
 *
 * @param <T> what the caller keeps with a request (its future)
 */
public final class HostSlots<T> {

    enum State { FREE, REQUESTED, CLEANING }

    /** What {@link #submit} did. */
    public sealed interface Submitted<T> {
        record Added<T>(int slot) implements Submitted<T> {
        }

        /** An identical message is already in flight: its caller's token. */
        record Duplicate<T>(int slot, T pending) implements Submitted<T> {
        }

        record Full<T>() implements Submitted<T> {
        }
    }

    /** A reply read from the outbox: {@code sizeMiB} 0 means the SPM failed the request. */
    public record Reply<T>(int slot, T token, long sizeMiB, byte[] request, long sentAtNanos) {
    }

    private final int maxInFlight;
    private final byte[] block = new byte[MailboxLayout.BLOCK_SIZE];
    private final State[] states = new State[MailboxLayout.SLOTS];
    private final Object[] tokens = new Object[MailboxLayout.SLOTS];
    private final long[] sentAt = new long[MailboxLayout.SLOTS];
    /** The slot's content is on storage: written since it last changed. */
    private final boolean[] onStorage = new boolean[MailboxLayout.SLOTS];
    private boolean dirty;
    /** The block changed in a way the SPM must act on (a request, CLEAN): worth an event. */
    private boolean announce;
    private int requested;

    public HostSlots(int maxInFlight) {
        if (maxInFlight < 1 || maxInFlight > MailboxLayout.SLOTS) {
            throw new IllegalArgumentException("max in flight must be 1.." + MailboxLayout.SLOTS + ": " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        Arrays.fill(states, State.FREE);
        Checksum.seal(block);
    }

    /**
     * Starts from what the outbox holds for this host: a slot whose reply position still has a
     * reply (from before a restart) is cleaned before it is used again. The block is written
     * afresh (zeros, or CLEAN where a stale reply must be cleaned).
     */
    public void start(byte[] outbox) {
        Arrays.fill(block, (byte) 0);
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            Message reply = Message.decode(outbox, i * MailboxLayout.MESSAGE_SIZE);
            if (reply instanceof Message.Extend || reply instanceof Message.Malformed) {
                setSlot(i, Message.clean());
                states[i] = State.CLEANING;
            } else {
                states[i] = State.FREE;
            }
            tokens[i] = null;
        }
        requested = 0;
        Checksum.seal(block);
        dirty = true;
    }

    public Submitted<T> submit(byte[] message, T token, long nowNanos) {
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            if (states[i] == State.REQUESTED && Arrays.equals(block, i * 64, i * 64 + 64, message, 0, 64)) {
                @SuppressWarnings("unchecked")
                T pending = (T) tokens[i];
                return new Submitted.Duplicate<>(i, pending);
            }
        }
        if (requested >= maxInFlight) {
            return new Submitted.Full<>();
        }
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            if (states[i] == State.FREE) {
                setSlot(i, message);
                states[i] = State.REQUESTED;
                tokens[i] = token;
                sentAt[i] = nowNanos;
                requested++;
                return new Submitted.Added<>(i);
            }
        }
        return new Submitted.Full<>();
    }

    /**
     * Reads this host's outbox block: replies to REQUESTED slots are returned (and CLEAN goes into
     * their slots), CLEAN echoed for CLEANING slots frees them.
     */
    public List<Reply<T>> onOutbox(byte[] outbox) {
        List<Reply<T>> replies = new ArrayList<>();
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            int o = i * MailboxLayout.MESSAGE_SIZE;
            if (states[i] == State.REQUESTED) {
                if (!Arrays.equals(outbox, o, o + Message.IDENTITY_LENGTH, block, o, o + Message.IDENTITY_LENGTH)) {
                    continue;
                }
                if (!(Message.decode(outbox, o) instanceof Message.Extend reply)) {
                    continue;
                }
                byte[] request = Arrays.copyOfRange(block, o, o + 64);
                @SuppressWarnings("unchecked")
                T token = (T) tokens[i];
                replies.add(new Reply<>(i, token, reply.sizeMiB(), request, sentAt[i]));
                setSlot(i, Message.clean());
                states[i] = State.CLEANING;
                tokens[i] = null;
                requested--;
            } else if (states[i] == State.CLEANING && Message.isClean(outbox, o)) {
                setSlot(i, new byte[MailboxLayout.MESSAGE_SIZE]);
                states[i] = State.FREE;
            }
        }
        return replies;
    }

    /** Forgets the caller of a request (it timed out); the slot still completes its handshake. */
    public void abandon(int slot) {
        tokens[slot] = null;
    }

    /**
     * Gives a REQUESTED slot whose caller timed out a new caller: the same request asked again. The
     * request is still on storage and the SPM may still answer it; its answer goes to {@code token},
     * whose wait starts {@code nowNanos}.
     */
    public void adopt(int slot, T token, long nowNanos) {
        if (states[slot] != State.REQUESTED || tokens[slot] != null) {
            throw new IllegalStateException("slot " + slot + " has no abandoned request to adopt");
        }
        tokens[slot] = token;
        sentAt[slot] = nowNanos;
    }

    /** Requests in flight: REQUESTED slots. */
    public int requested() {
        return requested;
    }

    /** Whether any slot waits on the SPM (a reply or a CLEAN echo). */
    public boolean busy() {
        for (State s : states) {
            if (s != State.FREE) {
                return true;
            }
        }
        return false;
    }

    /** The oldest send time of a REQUESTED slot, or {@code Long.MAX_VALUE}. */
    public long oldestRequest() {
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            if (states[i] == State.REQUESTED) {
                oldest = Math.min(oldest, sentAt[i]);
            }
        }
        return oldest;
    }

    /** Tokens of requests sent before {@code deadlineNanos}, with their slots. */
    public List<Integer> requestedBefore(long deadlineNanos) {
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            if (states[i] == State.REQUESTED && sentAt[i] - deadlineNanos < 0 && tokens[i] != null) {
                slots.add(i);
            }
        }
        return slots;
    }

    @SuppressWarnings("unchecked")
    public T token(int slot) {
        return (T) tokens[slot];
    }

    /** Whether the block changed since {@link #written()}. */
    public boolean dirty() {
        return dirty;
    }

    /** The block as it must be on storage, checksum sealed. */
    public byte[] block() {
        return block.clone();
    }

    public void written() {
        dirty = false;
        announce = false;
        Arrays.fill(onStorage, true);
    }

    /**
     * Whether a slot on storage waits on the SPM (a request its reply, a CLEAN its echo): only
     * then can the outbox hold news. Requests not written yet cannot have been answered.
     */
    public boolean awaitsSpm() {
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            if (states[i] != State.FREE && onStorage[i]) {
                return true;
            }
        }
        return false;
    }

    /** Every caller still waiting, for failing them when the mailbox stops. */
    public List<T> pendingTokens() {
        List<T> pending = new ArrayList<>();
        for (int i = 0; i < MailboxLayout.SLOTS; i++) {
            if (tokens[i] != null) {
                @SuppressWarnings("unchecked")
                T t = (T) tokens[i];
                pending.add(t);
            }
        }
        return pending;
    }

    private void setSlot(int slot, byte[] message) {
        System.arraycopy(message, 0, block, slot * MailboxLayout.MESSAGE_SIZE, MailboxLayout.MESSAGE_SIZE);
        onStorage[slot] = false;
        Checksum.seal(block);
        dirty = true;
        announce |= message[0] != 0;
    }

    /**
     * Whether the changes since {@link #written()} need the SPM's attention: a request or a CLEAN.
     * Freeing a slot (zeroing it) needs none; the SPM skips empty slots.
     */
    public boolean announce() {
        return announce;
    }
}
