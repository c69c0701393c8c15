package org.headroom.mailbox.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.mailbox.MailboxException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.MailboxCounters;
import org.headroom.mailbox.codec.EventsBlock;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Scheduler;
import org.headroom.storage.DirectFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the mailbox: puts extend requests into this host's inbox block, announces them
 * with an event, and reads this host's outbox block for the SPM's replies until every slot has
 * finished its CLEAN handshake.
 *
 * <p>Threads: {@link #extend} only validates, encodes and hands the request over through a bounded
 * queue; every direct I/O happens in {@link #tick()} on the scheduler given (one thread per host in
 * the agent; a shared pool where one process plays many hosts; a fake one in tests), so a caller is
 * never held behind a read or write of the shared storage. All timing (polls, resends, timeouts) is
 * on the scheduler's clock.
 *
 * <p>Re-sending is this class's job alone: a request with no reply is written again (with an
 * event) after {@code resendInterval}, doubling up to {@code requestTimeout}, and fails after
 * {@code requestTimeout}. A timed-out request stays on storage, since the SPM may still answer it;
 * the same request asked again joins that slot and gets the answer.
 */
public final class HostMailbox implements ExtendService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostMailbox.class);
    private static final long MIB = 1 << 20;
    /** Requests handed over and not yet taken by a tick: 64 bytes each, so also bounded in bytes. */
    static final int HANDOVER_CAPACITY = 1024;

    private final int hostId;
    private final UUID domain;
    private final MailboxPolicy policy;
    private final Scheduler scheduler;
    private final DirectFile inbox;
    private final DirectFile outbox;
    private final int maxInFlight;
    private final MailboxStats stats = new MailboxStats();
    private final ArrayBlockingQueue<Request> handOver = new ArrayBlockingQueue<>(HANDOVER_CAPACITY);

    // Guarded by "this": only ticks (and start/close) take it, never a caller of extend().
    private final HostSlots<Pending> slots;
    private final ByteBuffer outboxBuffer = DirectFile.buffer(MailboxLayout.BLOCK_SIZE);
    private final ByteBuffer blockBuffer = DirectFile.buffer(MailboxLayout.BLOCK_SIZE);
    private final byte[] outboxBlock = new byte[MailboxLayout.BLOCK_SIZE];
    /** Requests waiting for a slot to finish its CLEAN handshake; counted as in flight. */
    private final ArrayDeque<Pending> queued = new ArrayDeque<>();
    private long lastWriteNanos;
    private long startedNanos;
    /** The wait before the next resend: doubles with every resend that got no reply. */
    private long resendNanos;

    // Guarded by "timer".
    private final Object timer = new Object();
    private Cancellable next;
    private long nextAt = Long.MAX_VALUE;

    private volatile boolean running;

    public HostMailbox(int hostId, UUID domain, Path inboxPath, Path outboxPath, MailboxPolicy policy,
                       int maxInFlight, Scheduler scheduler) throws IOException {
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
        startedNanos = scheduler.nanoTime();
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

    public MailboxCounters stats() {
        return stats.snapshot();
    }

    /** The last I/O error, or "". */
    public String lastError() {
        return stats.lastError();
    }

    @Override
    public Duration replyTimeout() {
        return policy.requestTimeout();
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
        if (!running) {
            return CompletableFuture.failedFuture(new MailboxException("mailbox of host " + hostId + " is not running"));
        }
        Request request = new Request(volume, Message.encodeExtend(domain, volume.volume(), sizeMiB), new CompletableFuture<>());
        if (!handOver.offer(request)) {
            return CompletableFuture.failedFuture(new MailboxException("host " + hostId + ": " + HANDOVER_CAPACITY
                    + " requests already wait to be written; " + volume + " not sent"));
        }
        schedule(0);
        return request.reply();
    }

    /**
     * One round: take the requests handed over, write the block if it changed, read the outbox if
     * a written slot waits on the SPM, deliver replies (their CLEANs written by the next round),
     * resend, time out.
     */
    void tick() {
        List<HostSlots.Reply<Pending>> replies = List.of();
        List<Pending> expired = List.of();
        List<Request> refused = new ArrayList<>();
        synchronized (timer) {
            next = null;
            nextAt = Long.MAX_VALUE;
        }
        boolean again;
        synchronized (this) {
            if (!running) {
                return;
            }
            long now = scheduler.nanoTime();
            take(now, refused);
            try {
                // Asked before the write: a request this tick writes cannot have been answered yet.
                boolean awaits = slots.awaitsSpm();
                if (slots.dirty()) {
                    writeBlock(slots.announce());
                }
                if (awaits) {
                    readOutbox();
                    replies = slots.onOutbox(outboxBlock);
                }
                while (!queued.isEmpty() && slots.submit(queued.peek().message(), queued.peek(), now)
                        instanceof HostSlots.Submitted.Added) {
                    queued.poll();
                }
                if (!replies.isEmpty()) {
                    resendNanos = policy.resendInterval().toNanos();
                } else if (slots.dirty()) {
                    writeBlock(slots.announce());
                }
                if (slots.requested() > 0 && now - lastWriteNanos > resendNanos && !slots.dirty()) {
                    // No reply yet: the block may have been torn or lost; write it (and an event) again.
                    stats.resend();
                    resendNanos = Math.min(2 * resendNanos, policy.requestTimeout().toNanos());
                    writeBlock(true);
                }
                List<Integer> late = slots.requestedBefore(now - policy.requestTimeout().toNanos());
                if (!late.isEmpty()) {
                    expired = late.stream().map(slots::token).toList();
                    late.forEach(slots::abandon);
                    stats.timeouts(late.size());
                }
            } catch (IOException | UncheckedIOException e) {
                stats.error(e);
                LOG.warn("mailbox host {}: I/O failed, retrying: {}", hostId, e.toString());
                schedule(policy.hostPollMax().toNanos());
                refuse(refused);
                return;
            }
            // The callers first: a CLEAN (or a queued request) is written by the next tick, at once.
            again = !replies.isEmpty() || slots.dirty() || !handOver.isEmpty();
            if (again) {
                schedule(0);
            } else if (slots.busy() || !queued.isEmpty()) {
                schedule(policy.hostPollDelayNanos(now - lastWriteNanos, now - startedNanos));
            }
        }
        refuse(refused);
        long now = scheduler.nanoTime();
        for (HostSlots.Reply<Pending> r : replies) {
            stats.latency(now - r.sentAtNanos());
            if (r.sizeMiB() == 0) {
                stats.failure();
            } else {
                stats.reply();
            }
            if (r.token() != null) {
                if (r.sizeMiB() == 0) {
                    r.token().fail(new ExtendFailedException(r.token().volume(), "the SPM replied with size 0"));
                } else {
                    r.token().complete(r.sizeMiB() * MIB);
                }
            }
        }
        for (Pending p : expired) {
            p.fail(new MailboxException("host " + hostId + ": no reply from the SPM within " + policy.requestTimeout()
                    + " for " + p.volume()));
        }
    }

    /** Takes the requests handed over into slots: joined to one in flight, adopted, added, queued or refused. */
    private void take(long now, List<Request> refused) {
        for (Request r; (r = handOver.poll()) != null; ) {
            Pending joined = null;
            for (Pending q : queued) {
                if (Arrays.equals(q.message(), r.message())) {
                    joined = q;
                }
            }
            if (joined != null) {
                stats.duplicate();
                joined.waiters().add(r.reply());
                continue;
            }
            Pending p = new Pending(r.volume(), r.message(), new ArrayList<>(List.of(r.reply())));
            HostSlots.Submitted<Pending> s = slots.submit(r.message(), p, now);
            if (s instanceof HostSlots.Submitted.Duplicate<Pending> d) {
                if (d.pending() != null) {
                    stats.duplicate();
                    d.pending().waiters().add(r.reply());
                } else {
                    // Asked again after it timed out: the request is still on storage; wait for its answer,
                    // and write it again soon (the SPM may be back, or another one serving).
                    stats.adopted();
                    slots.adopt(d.slot(), p, now);
                    resendNanos = policy.resendInterval().toNanos();
                }
            } else if (s instanceof HostSlots.Submitted.Full) {
                if (slots.requested() + queued.size() >= maxInFlight) {
                    refused.add(r);
                } else {
                    // Every free slot is still finishing its CLEAN handshake: wait for one.
                    queued.add(p);
                    stats.request();
                }
            } else {
                stats.request();
            }
        }
    }

    private void refuse(List<Request> refused) {
        for (Request r : refused) {
            r.reply().completeExceptionally(new MailboxException("host " + hostId + ": " + maxInFlight
                    + " requests already in flight; " + r.volume() + " not sent"));
        }
    }

    /** Zeroes this host's block (the protocol's stop), fails whoever still waits. */
    @Override
    public void close() throws IOException {
        List<Pending> pending = new ArrayList<>();
        synchronized (timer) {
            if (next != null) {
                next.cancel();
            }
        }
        synchronized (this) {
            if (!running) {
                inbox.close();
                outbox.close();
                return;
            }
            running = false;
            pending.addAll(slots.pendingTokens());
            pending.addAll(queued);
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
        MailboxException stopped = new MailboxException("mailbox of host " + hostId + " stopped");
        for (Pending p : pending) {
            p.fail(stopped);
        }
        for (Request r; (r = handOver.poll()) != null; ) {
            r.reply().completeExceptionally(stopped);
        }
        LOG.info("mailbox host {} stopped: {}", hostId, stats.snapshot().summary());
    }

    /** A caller's request as handed over. */
    private record Request(VolumeRef volume, byte[] message, CompletableFuture<Long> reply) {
    }

    /** A request in a slot (or waiting for one) and everyone waiting for its answer, each with a future of their own. */
    record Pending(VolumeRef volume, byte[] message, List<CompletableFuture<Long>> waiters) {
        void complete(long size) {
            waiters.forEach(f -> f.complete(size));
        }

        void fail(Throwable error) {
            waiters.forEach(f -> f.completeExceptionally(error));
        }
    }

    /** Runs {@link #tick()} after {@code delayNanos} unless it runs sooner anyway. */
    private void schedule(long delayNanos) {
        synchronized (timer) {
            long at = scheduler.nanoTime() + delayNanos;
            if (next != null && nextAt - at <= 0) {
                return;
            }
            if (next != null) {
                next.cancel();
            }
            try {
                next = scheduler.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
                nextAt = at;
            } catch (RejectedExecutionException e) {
                next = null;
                nextAt = Long.MAX_VALUE;
                if (running) {
                    stats.error(e);
                    LOG.error("mailbox host {}: its scheduler refused work: {}", hostId, e.getMessage());
                }
            }
        }
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
        lastWriteNanos = scheduler.nanoTime();
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
