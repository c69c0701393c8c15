package org.headroom.mailbox.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.mailbox.MailboxException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.codec.EventsBlock;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;
import org.headroom.storage.DirectFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the mailbox: puts extend requests into this host's inbox block, announces them
 * with an event, and reads this host's outbox block for the SPM's replies until every slot has
 * finished its CLEAN handshake.
 *
 * <p>All I/O happens in {@link #tick()}, run on the scheduler given (one thread per host in the
 * agent; a shared pool where one process plays many hosts), never on the caller's thread.
 */
public final class HostMailbox implements ExtendService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostMailbox.class);
    private static final long MIB = 1 << 20;

    private final int hostId;
    private final UUID domain;
    private final MailboxPolicy policy;
    private final ScheduledExecutorService scheduler;
    private final DirectFile inbox;
    private final DirectFile outbox;
    private final HostSlots<Pending> slots;
    private final MailboxStats stats = new MailboxStats();
    private final ByteBuffer outboxBuffer = DirectFile.buffer(MailboxLayout.BLOCK_SIZE);
    private final ByteBuffer blockBuffer = DirectFile.buffer(MailboxLayout.BLOCK_SIZE);
    private final byte[] outboxBlock = new byte[MailboxLayout.BLOCK_SIZE];

    // Guarded by "this".
    private ScheduledFuture<?> next;
    private long nextAt = Long.MAX_VALUE;
    private boolean running;
    private long lastWriteNanos;
    private long startedNanos;
    /** The wait before the next resend: doubles with every resend that got no reply. */
    private long resendNanos;
    /** Requests waiting for a slot to finish its CLEAN handshake; counted as in flight. */
    private final java.util.ArrayDeque<Queued> queued = new java.util.ArrayDeque<>();
    private final int maxInFlight;

    public HostMailbox(int hostId, UUID domain, Path inboxPath, Path outboxPath, MailboxPolicy policy,
                       int maxInFlight, ScheduledExecutorService scheduler) throws IOException {
        MailboxLayout.checkHostId(hostId, MailboxLayout.MAX_HOSTS);
        this.hostId = hostId;
        this.domain = Objects.requireNonNull(domain);
        this.policy = Objects.requireNonNull(policy);
        this.scheduler = Objects.requireNonNull(scheduler);
        this.slots = new HostSlots<>(maxInFlight);
        this.maxInFlight = maxInFlight;
        this.inbox = DirectFile.open(inboxPath, true);
        try {
            this.outbox = DirectFile.open(outboxPath, false);
        } catch (IOException e) {
            inbox.close();
            throw e;
        }
    }

    /** Reads the outbox, writes this host's block afresh (cleaning stale slots) and starts serving. */
    public synchronized void start() throws IOException {
        readOutbox();
        slots.start(outboxBlock);
        writeBlock(true);
        startedNanos = System.nanoTime();
        resendNanos = policy.resendInterval().toNanos();
        running = true;
        if (slots.busy()) {
            schedule(0);
        }
        LOG.info("mailbox host {} started on domain {} ({} policy)", hostId, domain, policy.name());
    }

    public int hostId() {
        return hostId;
    }

    public MailboxStats stats() {
        return stats;
    }

    @Override
    public CompletionStage<Long> extend(VolumeRef volume, long size) {
        if (!domain.equals(volume.domain())) {
            return CompletableFuture.failedFuture(new MailboxException("volume " + volume + " is not on domain " + domain
                    + ", whose mailbox this is"));
        }
        long sizeMiB = (size + MIB - 1) / MIB;
        if (size <= 0 || sizeMiB > Message.MAX_SIZE_MIB) {
            return CompletableFuture.failedFuture(new MailboxException("size " + size + " bytes out of range 1.."
                    + Message.MAX_SIZE_MIB + " MiB for " + volume));
        }
        byte[] message = Message.encodeExtend(domain, volume.volume(), sizeMiB);
        CompletableFuture<Long> reply = new CompletableFuture<>();
        synchronized (this) {
            if (!running) {
                return CompletableFuture.failedFuture(new MailboxException("mailbox of host " + hostId + " is not running"));
            }
            for (Queued q : queued) {
                if (java.util.Arrays.equals(q.message(), message)) {
                    stats.duplicates.increment();
                    return q.pending().reply();
                }
            }
            HostSlots.Submitted<Pending> s = slots.submit(message, new Pending(volume, reply), System.nanoTime());
            if (s instanceof HostSlots.Submitted.Duplicate<Pending> d) {
                stats.duplicates.increment();
                return d.pending() != null ? d.pending().reply() : reply;
            }
            if (s instanceof HostSlots.Submitted.Full) {
                if (slots.requested() + queued.size() >= maxInFlight) {
                    return CompletableFuture.failedFuture(new MailboxException("host " + hostId + ": " + maxInFlight
                            + " requests already in flight; " + volume + " not sent"));
                }
                // Every free slot is still finishing its CLEAN handshake: wait for one.
                queued.add(new Queued(message, new Pending(volume, reply)));
            }
            stats.requests.increment();
            schedule(0);
        }
        return reply;
    }

    /**
     * One round: write the block if it changed, read the outbox if a written slot waits on the SPM,
     * deliver replies (their CLEANs written by the next round), resend, time out.
     */
    void tick() {
        List<HostSlots.Reply<Pending>> replies;
        List<Pending> expired = List.of();
        synchronized (this) {
            next = null;
            nextAt = Long.MAX_VALUE;
            if (!running) {
                return;
            }
            long now = System.nanoTime();
            try {
                // Asked before the write: a request this tick writes cannot have been answered yet.
                boolean awaits = slots.awaitsSpm();
                if (slots.dirty()) {
                    writeBlock(slots.announce());
                }
                if (awaits) {
                    readOutbox();
                    replies = slots.onOutbox(outboxBlock);
                } else {
                    replies = List.of();
                }
                while (!queued.isEmpty() && slots.submit(queued.peek().message(), queued.peek().pending(), now)
                        instanceof HostSlots.Submitted.Added) {
                    queued.poll();
                }
                if (!replies.isEmpty()) {
                    resendNanos = policy.resendInterval().toNanos();
                    // The callers first: the CLEAN (and any queued request) is written by the
                    // next tick, at once, rather than making them wait for two writes.
                    schedule(0);
                } else if (slots.dirty()) {
                    writeBlock(slots.announce());
                }
                if (slots.requested() > 0 && now - lastWriteNanos > resendNanos && !slots.dirty()) {
                    // No reply yet: the block may have been torn or lost; write it (and an event) again.
                    // A dirty block is written by the next tick anyway.
                    stats.resends.increment();
                    resendNanos = Math.min(2 * resendNanos, policy.requestTimeout().toNanos());
                    writeBlock(true);
                }
                List<Integer> late = slots.requestedBefore(now - policy.requestTimeout().toNanos());
                if (!late.isEmpty()) {
                    expired = late.stream().map(slots::token).toList();
                    late.forEach(slots::abandon);
                    stats.timeouts.add(late.size());
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("mailbox host {}: I/O failed, retrying: {}", hostId, e.toString());
                schedule(policy.hostPollMax().toNanos());
                return;
            }
            if (slots.busy() || !queued.isEmpty()) {
                schedule(policy.hostPollDelayNanos(now - lastWriteNanos, now - startedNanos));
            }
        }
        long now = System.nanoTime();
        for (HostSlots.Reply<Pending> r : replies) {
            stats.latency.record(now - r.sentAtNanos());
            if (r.sizeMiB() == 0) {
                stats.failures.increment();
            } else {
                stats.replies.increment();
            }
            if (r.token() != null) {
                if (r.sizeMiB() == 0) {
                    r.token().reply().completeExceptionally(new ExtendFailedException(r.token().volume(),
                            "the SPM replied with size 0"));
                } else {
                    r.token().reply().complete(r.sizeMiB() * MIB);
                }
            }
        }
        for (Pending p : expired) {
            p.reply().completeExceptionally(new MailboxException("host " + hostId + ": no reply from the SPM within "
                    + policy.requestTimeout() + " for " + p.volume()));
        }
    }

    /** Zeroes this host's block (the protocol's stop), fails whoever still waits. */
    @Override
    public void close() throws IOException {
        List<Pending> pending;
        synchronized (this) {
            if (!running) {
                inbox.close();
                outbox.close();
                return;
            }
            running = false;
            if (next != null) {
                next.cancel(false);
            }
            pending = new java.util.ArrayList<>(slots.pendingTokens());
            queued.forEach(q -> pending.add(q.pending()));
            queued.clear();
            try {
                blockBuffer.clear();
                blockBuffer.put(new byte[MailboxLayout.BLOCK_SIZE]).flip();
                inbox.write(MailboxLayout.blockOffset(hostId), blockBuffer);
                writeEvent();
            } finally {
                inbox.close();
                outbox.close();
            }
        }
        for (Pending p : pending) {
            p.reply().completeExceptionally(new MailboxException("mailbox of host " + hostId + " stopped"));
        }
        LOG.info("mailbox host {} stopped: {}", hostId, stats.summary());
    }

    /** A request waiting for a free slot. */
    private record Queued(byte[] message, Pending pending) {
    }

    /** A request's caller: the volume it named and the future it waits on. */
    record Pending(VolumeRef volume, CompletableFuture<Long> reply) {
    }

    /** Called with the lock held: runs {@link #tick()} after {@code delayNanos} unless it runs sooner anyway. */
    private void schedule(long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        if (next != null && nextAt <= at) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        nextAt = at;
        next = scheduler.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void readOutbox() throws IOException {
        outboxBuffer.clear();
        outbox.read(MailboxLayout.blockOffset(hostId), outboxBuffer);
        outboxBuffer.get(outboxBlock).clear();
    }

    private void writeBlock(boolean event) throws IOException {
        blockBuffer.clear();
        blockBuffer.put(slots.block()).flip();
        inbox.write(MailboxLayout.blockOffset(hostId), blockBuffer);
        slots.written();
        lastWriteNanos = System.nanoTime();
        if (event) {
            writeEvent();
        }
    }

    private void writeEvent() throws IOException {
        if (policy.hostWritesEvents()) {
            blockBuffer.clear();
            blockBuffer.put(EventsBlock.encode(UUID.randomUUID())).flip();
            inbox.write(0, blockBuffer);
        }
    }
}
