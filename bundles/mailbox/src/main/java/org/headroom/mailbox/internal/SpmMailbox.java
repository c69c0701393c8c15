package org.headroom.mailbox.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.MailboxCounters;
import org.headroom.mailbox.codec.EventsBlock;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Scheduler;
import org.headroom.storage.DirectFile;
import org.headroom.storage.SmallDirectReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SPM side of the mailbox: watches the events block, scans the hosts' inbox blocks
 * {@code 1..maxHostId} when it changes (and periodically, for hosts that write no events), extends
 * requested volumes through the domain's backend, and writes replies into the outbox.
 *
 * <p>Three schedulers, given by the owner: {@code inboxThread} does every inbox read (one task
 * that reschedules itself), {@code outboxThread} every outbox write, so that replies go out while
 * a scan of many hosts is still reading, and {@code workers} only extend volumes and queue their
 * replies. All timing is on the inbox scheduler's clock: in tests one fake scheduler plays all
 * three. The outbox is zeroed at start and the inbox is read as if every host's block were new,
 * so that requests left pending by a previous SPM are answered.
 *
 * <p>Whatever a backend throws, the request gets a failure reply: a host is never left waiting on
 * an SPM that swallowed its request.
 */
public final class SpmMailbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpmMailbox.class);
    private static final long MIB = 1 << 20;
    private static final int SIZE_OFFSET = 37;
    /**
     * Unchanged outbox blocks rewritten to join two runs of replies in one write: a 4 KiB direct
     * write costs tens of microseconds, eight more blocks of transfer about as much.
     */
    private static final int REPLY_GAP_BLOCKS = 8;

    private final StorageDomain domain;
    private final MailboxPolicy policy;
    private final int maxHostId;
    private volatile Supplier<Optional<Set<Integer>>> liveHosts;
    /** Without a request for this long, the SPM is quiet: see {@link #eventsInterval}. */
    static final Duration DEEP_IDLE_AFTER = Duration.ofSeconds(10);
    static final Duration DEEP_IDLE_INTERVAL = Duration.ofMillis(100);
    private final InboxScanner scanner;
    private final MailboxStats stats = new MailboxStats();
    private final Scheduler inboxThread;
    private final Scheduler outboxThread;
    private final Scheduler workers;
    /**
     * Replies waiting to be written. A slot has at most one reply (or CLEAN echo) outstanding, so
     * {@code maxHostId × 63} can never be exceeded; should it be, the host's block is forgotten and
     * the next scan serves it again.
     */
    private final ArrayBlockingQueue<Reply> replies;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicInteger extending = new AtomicInteger();
    private final Object outboxLock = new Object();
    /** Held by a poll while it reads the inbox: close waits for it before closing the files. */
    private final Object pollLock = new Object();
    /** Outbox blocks changed and not yet written (guarded by outboxLock): a failed write is retried whole. */
    private final boolean[] dirtyBlocks;
    /** Replies put in the image and not yet on storage, for the counters once they are. */
    private final List<Reply> unwritten = new ArrayList<>();
    private boolean closedFiles;
    private final byte[] outboxImage;
    /** What {@link #outboxImage} is written from: direct, aligned, allocated once. */
    private final ByteBuffer outboxBuffer;
    private final ByteBuffer inboxBuffer;
    /** The hosts' blocks as last read: one array for every scan (at 2000 hosts, 8 MB). */
    private final byte[] inboxBlocks;
    private final ByteBuffer eventsBuffer = DirectFile.buffer(DirectFile.BLOCK);
    private final long[] rateWindow = new long[20];
    private final long[] rateWindowNanos = new long[20];

    private DirectFile inbox;
    private DirectFile outbox;
    /** Reads the events block a sector at a time where the device allows; null: whole blocks. */
    private SmallDirectReader eventsReader;
    private final byte[] eventsSector = new byte[SmallDirectReader.SECTOR];
    /** Volumes by the UUID requests name them by: looking one up lists the domain's images. */
    private final Map<UUID, VolumeRef> volumes = new ConcurrentHashMap<>();
    /** When the volume index was last rebuilt; requests seen before then need no new rebuild. */
    private long indexedNanos = Long.MIN_VALUE / 2;
    private volatile boolean running;
    private Cancellable poll;
    // The inbox loop's state: only its task touches these.
    private UUID lastEvent = new UUID(0, 0);
    private long lastActivityNanos;
    private long legacySeenNanos = Long.MIN_VALUE / 2;
    private long nextEvents;
    private long nextScan;
    private boolean first = true;
    private int rateIndex;
    private volatile long sectorBytesRead;

    /** A reply to write: the host's slot and the 64 bytes to put there. */
    private record Reply(int host, int slot, byte[] message, long seenNanos, boolean success) {
    }

    public SpmMailbox(StorageDomain domain, MailboxPolicy policy, int maxHostId, Scheduler inboxThread,
                      Scheduler outboxThread, Scheduler workers) {
        if (maxHostId < 1 || maxHostId > MailboxLayout.MAX_HOSTS) {
            throw new IllegalArgumentException("max host id " + maxHostId + " out of range 1.." + MailboxLayout.MAX_HOSTS);
        }
        this.domain = Objects.requireNonNull(domain);
        this.policy = Objects.requireNonNull(policy);
        this.maxHostId = maxHostId;
        this.inboxThread = Objects.requireNonNull(inboxThread);
        this.outboxThread = Objects.requireNonNull(outboxThread);
        this.workers = Objects.requireNonNull(workers);
        this.scanner = new InboxScanner(domain.uuid(), maxHostId);
        this.replies = new ArrayBlockingQueue<>(maxHostId * MailboxLayout.SLOTS);
        this.dirtyBlocks = new boolean[maxHostId + 1];
        this.outboxImage = new byte[(maxHostId + 1) * MailboxLayout.BLOCK_SIZE];
        this.outboxBuffer = DirectFile.buffer(outboxImage.length);
        this.inboxBuffer = DirectFile.buffer(maxHostId * MailboxLayout.BLOCK_SIZE);
        this.inboxBlocks = new byte[maxHostId * MailboxLayout.BLOCK_SIZE];
    }

    public MailboxCounters stats() {
        return stats.snapshot();
    }

    /** The last error the SPM side logged, or "". */
    public String lastError() {
        return stats.lastError();
    }

    public int maxHostId() {
        return maxHostId;
    }

    public boolean running() {
        return running;
    }

    /** Requests being extended now. */
    public int extending() {
        return extending.get();
    }

    /** Bytes read from the inbox since start. */
    public long bytesRead() {
        DirectFile f = inbox;
        return (f == null ? 0 : f.bytesRead()) + sectorBytesRead;
    }

    /** Inbox bytes read per second over about the last 20 seconds. */
    public synchronized double bytesReadPerSecond() {
        if (rateIndex < 2) {
            return 0;
        }
        int oldest = rateIndex < rateWindow.length ? 0 : rateIndex % rateWindow.length;
        int newest = (rateIndex - 1) % rateWindow.length;
        long dt = rateWindowNanos[newest] - rateWindowNanos[oldest];
        return dt <= 0 ? 0 : (rateWindow[newest] - rateWindow[oldest]) * 1e9 / dt;
    }

    /** Zeroes the outbox, then serves until {@link #close()}. */
    public synchronized void start() throws IOException {
        inbox = DirectFile.open(domain.inbox(), false);
        outbox = DirectFile.open(domain.outbox(), true);
        outbox.write(0, outboxBuffer); // still all zeros
        if (policy.eventsReadSmallest()) {
            eventsReader = SmallDirectReader.open(domain.inbox());
        }
        scanner.reset();
        long now = inboxThread.nanoTime();
        nextEvents = now;
        nextScan = now;
        lastActivityNanos = now;
        first = true;
        running = true;
        poll = inboxThread.schedule(this::poll, 0, TimeUnit.NANOSECONDS);
        LOG.info("SPM mailbox started on domain {}: hosts 1..{}, {} policy, events read {} bytes",
                domain.uuid(), maxHostId, policy.name(), eventsReader != null ? SmallDirectReader.SECTOR : DirectFile.BLOCK);
    }

    /**
     * Stops reading the inbox at once (no request is taken after this returns), lets extensions
     * under way finish for up to 5 s, writes their replies, and closes the files.
     */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            if (poll != null) {
                poll.cancel();
            }
        }
        synchronized (pollLock) {
            // A poll under way finishes its reads; the next one sees running false.
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (extending.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            flushReplies();
        } catch (IOException | RuntimeException e) {
            LOG.warn("SPM mailbox: could not write the last replies: {}", e.toString());
        }
        synchronized (outboxLock) {
            closedFiles = true;
            if (eventsReader != null) {
                eventsReader.close();
            }
            inbox.close();
            outbox.close();
        }
        LOG.info("SPM mailbox stopped: {}", stats.snapshot().summary());
    }

    /** One round of the inbox loop: events block, scan if needed; then again when next due. */
    private void poll() {
        long wake;
        synchronized (pollLock) {
            if (!running) {
                return;
            }
            wake = pollOnce();
        }
        synchronized (this) {
            if (running) {
                try {
                    poll = inboxThread.schedule(this::poll, Math.max(0, wake - inboxThread.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    stats.error(e);
                    LOG.error("SPM mailbox: its scheduler refused the next poll: {}", e.getMessage());
                }
            }
        }
    }

    /** Reads the events block and scans when due; returns when the next poll is due. */
    private long pollOnce() {
        long now = inboxThread.nanoTime();
        try {
            boolean scan = first;
            boolean announced = false;
            if (policy.spmReadsEvents() && now - nextEvents >= 0) {
                if (eventChanged()) {
                    scan = true;
                    announced = true;
                    stats.event();
                }
                nextEvents = now + eventsInterval(now).toNanos();
            }
            if (policy.periodicScan() && now - nextScan >= 0) {
                scan = true;
            }
            if (scan) {
                scanInbox(announced || first, now);
                long took = inboxThread.nanoTime() - now;
                nextScan = now + scanInterval(now);
                // A full scan of many hosts takes milliseconds: while events keep coming, leave
                // as long again between scans, so that scanning takes at most half of the time.
                nextEvents = Math.max(nextEvents, inboxThread.nanoTime() + took);
            }
            first = false;
            sampleRate(now);
        } catch (Throwable t) {
            stats.error(t);
            LOG.error("SPM mailbox: {}; retrying", t.toString(), t);
            nextEvents = now + policy.eventsIntervalIdle().toNanos();
            // A scan that failed is retried at the idle pace too, not at once (that would spin).
            nextScan = Math.max(nextScan, nextEvents);
        }
        long wake = policy.spmReadsEvents() ? nextEvents : nextScan;
        if (policy.periodicScan() && nextScan - wake < 0) {
            wake = nextScan;
        }
        return wake;
    }

    /** Which blocks a periodic scan reads (index = host id), or null: all of them. */
    private boolean[] liveMask() {
        Supplier<Optional<Set<Integer>>> source = liveHosts;
        Optional<Set<Integer>> live = source == null ? Optional.empty() : source.get();
        if (live.isEmpty() || live.get().isEmpty()) {
            return null;
        }
        boolean[] mask = new boolean[maxHostId + 1];
        for (int host : live.get()) {
            if (host >= 1 && host <= maxHostId) {
                mask[host] = true;
            }
        }
        return mask;
    }

    /**
     * How long until the events block is read again: the policy's active or idle interval; after
     * {@link #DEEP_IDLE_AFTER} without a request, at least {@link #DEEP_IDLE_INTERVAL}. A quiet SPM
     * then notices the next request up to 100 ms later (VDSM's: 500 ms), and reads the events
     * block a twentieth as often, at a sixth of the CPU (bench/README.md).
     */
    private Duration eventsInterval(long now) {
        if (active(now)) {
            return policy.eventsIntervalActive();
        }
        Duration idle = policy.eventsIntervalIdle();
        if (now - lastActivityNanos >= DEEP_IDLE_AFTER.toNanos() && idle.compareTo(DEEP_IDLE_INTERVAL) < 0) {
            return DEEP_IDLE_INTERVAL;
        }
        return idle;
    }

    private boolean active(long now) {
        return extending.get() > 0 || now - lastActivityNanos < policy.activeHold().toNanos();
    }

    private long scanInterval(long now) {
        boolean legacy = now - legacySeenNanos < policy.legacyHold().toNanos();
        return (legacy ? policy.legacyScanInterval() : policy.scanInterval()).toNanos();
    }

    private boolean eventChanged() throws IOException {
        if (eventsReader != null) {
            eventsReader.read(0, eventsSector);
            sectorBytesRead += SmallDirectReader.SECTOR;
        } else {
            eventsBuffer.clear();
            inbox.read(0, eventsBuffer);
            eventsBuffer.get(eventsSector);
        }
        UUID event = EventsBlock.decode(eventsSector);
        if (event == null || event.equals(lastEvent)) {
            return false;
        }
        lastEvent = event;
        return true;
    }

    /**
     * The hosts the periodic scan reads, when the lockspace tells: only hosts that renew their
     * delta lease can write requests, so the scan for hosts that write no events reads only
     * theirs. A scan an event announced, and the first, read every block.
     */
    public void limitPeriodicScanTo(Supplier<Optional<Set<Integer>>> liveHosts) {
        this.liveHosts = liveHosts;
    }

    private void scanInbox(boolean announced, long now) throws IOException {
        stats.scan();
        byte[] blocks = inboxBlocks;
        boolean[] read = announced || first ? null : liveMask();
        if (read == null) {
            inboxBuffer.clear();
            inbox.read(MailboxLayout.blockOffset(1), inboxBuffer);
            inboxBuffer.get(blocks);
        } else {
            for (BlockRuns.Run run : BlockRuns.of(read, 1, 0)) {
                inboxBuffer.clear().limit(run.blocks() * MailboxLayout.BLOCK_SIZE);
                inbox.read(MailboxLayout.blockOffset(run.first()), inboxBuffer); // leaves it ready to get, as above
                inboxBuffer.get(blocks, (run.first() - 1) * MailboxLayout.BLOCK_SIZE, run.blocks() * MailboxLayout.BLOCK_SIZE);
            }
        }
        for (int host = 1; host <= maxHostId; host++) {
            if (read != null && !read[host]) {
                continue;
            }
            InboxScanner.Scan scan = scanner.scan(host, blocks, (host - 1) * MailboxLayout.BLOCK_SIZE);
            if (scan.badChecksum()) {
                stats.rejectedBlock();
                LOG.warn("SPM mailbox: host {} block has a bad checksum; ignored until rewritten", host);
                continue;
            }
            for (String bad : scan.malformed()) {
                stats.rejectedMessage();
                LOG.warn("SPM mailbox: malformed message ignored: {}", bad);
            }
            for (InboxScanner.Action action : scan.actions()) {
                lastActivityNanos = now;
                serve(action, announced, now);
            }
        }
    }

    private void serve(InboxScanner.Action action, boolean announced, long seen) {
        if (action instanceof InboxScanner.Action.Clean c) {
            reply(new Reply(c.host(), c.slot(), Message.clean(), seen, true));
        } else if (action instanceof InboxScanner.Action.Refuse r) {
            stats.request();
            stats.rejectedMessage();
            LOG.warn("SPM mailbox: host {} slot {} refused: {}", r.host(), r.slot(), r.reason());
            reply(new Reply(r.host(), r.slot(), failure(r.request()), seen, false));
        } else if (action instanceof InboxScanner.Action.Extend e) {
            stats.request();
            if (!announced && policy.periodicScan()) {
                // Found by the periodic scan, not announced by an event: a host that writes none.
                legacySeenNanos = seen;
            }
            extending.incrementAndGet();
            try {
                workers.execute(() -> extend(e, seen));
            } catch (RejectedExecutionException full) {
                extending.decrementAndGet();
                stats.error(full);
                // Not served now: forget the host's block, so that the next scan finds the request again.
                scanner.forget(e.host());
                LOG.warn("SPM mailbox: no worker free for host {} slot {} ({}); served by a later scan", e.host(), e.slot(),
                        full.getMessage());
            }
        }
    }

    private void extend(InboxScanner.Action.Extend e, long seen) {
        UUID volumeId = e.message().volume();
        long size = e.message().sizeMiB() * MIB;
        Reply reply = new Reply(e.host(), e.slot(), failure(e.request()), seen, false);
        try {
            VolumeRef volume = lookUp(volumeId, seen);
            long reached;
            try {
                reached = domain.volumes().extend(volume, size);
            } catch (UnknownVolumeException gone) {
                // Removed (or moved to another image) since it was indexed: look it up once more.
                volumes.remove(volumeId);
                volume = lookUp(volumeId, inboxThread.nanoTime());
                reached = domain.volumes().extend(volume, size);
            }
            LOG.debug("SPM mailbox: host {} extended {} to {} MiB (now {} MiB)", e.host(), volume, e.message().sizeMiB(), reached / MIB);
            reply = new Reply(e.host(), e.slot(), e.request(), seen, true);
        } catch (UnknownVolumeException unknown) {
            stats.rejectedMessage();
            LOG.warn("SPM mailbox: host {} asked to extend unknown volume {}", e.host(), volumeId);
        } catch (RuntimeException failed) {
            LOG.warn("SPM mailbox: host {}: extending volume {} failed: {}", e.host(), volumeId, failed.toString());
        } catch (Error fatal) {
            stats.error(fatal);
            LOG.error("SPM mailbox: host {}: extending volume {} failed: {}", e.host(), volumeId, fatal.toString(), fatal);
            throw fatal;
        } finally {
            reply(reply);
            extending.decrementAndGet();
        }
    }

    private void reply(Reply reply) {
        if (!replies.offer(reply)) {
            // Cannot happen (one reply per slot at most); if it does, the host's next scan is served afresh.
            scanner.forget(reply.host());
            stats.error(new IllegalStateException("reply queue full"));
            LOG.error("SPM mailbox: reply queue full; host {} slot {} is served again by the next scan", reply.host(),
                    reply.slot());
            return;
        }
        scheduleFlush(0);
    }

    private void scheduleFlush(long delayNanos) {
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                outboxThread.schedule(this::flushTask, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                flushScheduled.set(false);
                stats.error(e);
                LOG.error("SPM mailbox: the outbox writer refused work: {}", e.getMessage());
            }
        }
    }

    /** The outbox writer's task: whatever is queued when it runs goes out in one pass. */
    private void flushTask() {
        flushScheduled.set(false);
        try {
            flushReplies();
        } catch (Throwable t) {
            stats.error(t);
            LOG.error("SPM mailbox: writing replies: {}; retrying", t.toString(), t);
            if (running) {
                scheduleFlush(policy.eventsIntervalIdle().toNanos());
            }
        }
    }

    /**
     * The volume a request names by UUID. Requests carry no image UUID, and finding one volume
     * means listing the domain's images: on a miss the whole index is rebuilt in one pass (once
     * for a burst of new volumes, not once per volume).
     */
    private VolumeRef lookUp(UUID volumeId, long seen) {
        VolumeRef ref = volumes.get(volumeId);
        if (ref != null) {
            return ref;
        }
        synchronized (volumes) {
            ref = volumes.get(volumeId);
            if (ref == null && indexedNanos - seen < 0) {
                for (VolumeRef v : domain.listVolumes()) {
                    volumes.put(v.volume(), v);
                }
                indexedNanos = inboxThread.nanoTime();
                ref = volumes.get(volumeId);
            }
        }
        if (ref == null) {
            throw new UnknownVolumeException(new VolumeRef(domain.uuid(), new UUID(0, 0), volumeId));
        }
        return ref;
    }

    /** The request with size 0: how the protocol says "failed". */
    private static byte[] failure(byte[] request) {
        byte[] reply = request.clone();
        System.arraycopy(String.format("%016x", 0).getBytes(StandardCharsets.US_ASCII), 0, reply, SIZE_OFFSET, 16);
        return reply;
    }

    /**
     * Writes queued replies, each changed host block once, nearby blocks in one write. Blocks stay
     * dirty until written: after a failed write the next flush writes them again.
     */
    private void flushReplies() throws IOException {
        synchronized (outboxLock) {
            if (closedFiles) {
                return;
            }
            for (Reply r; (r = replies.poll()) != null; ) {
                System.arraycopy(r.message(), 0, outboxImage,
                        (int) MailboxLayout.blockOffset(r.host()) + r.slot() * MailboxLayout.MESSAGE_SIZE, MailboxLayout.MESSAGE_SIZE);
                dirtyBlocks[r.host()] = true;
                unwritten.add(r);
            }
            if (unwritten.isEmpty()) {
                return;
            }
            for (BlockRuns.Run run : BlockRuns.of(dirtyBlocks, 1, REPLY_GAP_BLOCKS)) {
                int offset = (int) MailboxLayout.blockOffset(run.first());
                int length = run.blocks() * MailboxLayout.BLOCK_SIZE;
                ByteBuffer b = outboxBuffer.slice(offset, length);
                b.put(outboxImage, offset, length).flip();
                outbox.write(offset, b);
                Arrays.fill(dirtyBlocks, run.first(), run.last() + 1, false);
            }
            long now = inboxThread.nanoTime();
            for (Reply r : unwritten) {
                if (Message.isClean(r.message(), 0)) {
                    continue;
                }
                stats.latency(now - r.seenNanos());
                if (r.success()) {
                    stats.reply();
                } else {
                    stats.failure();
                }
            }
            unwritten.clear();
        }
    }

    private synchronized void sampleRate(long now) {
        int newest = (rateIndex + rateWindow.length - 1) % rateWindow.length;
        if (rateIndex > 0 && now - rateWindowNanos[newest] < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        rateWindow[rateIndex % rateWindow.length] = bytesRead();
        rateWindowNanos[rateIndex % rateWindow.length] = now;
        rateIndex++;
    }

    /** For tests: the outbox as the SPM last wrote it. */
    byte[] outboxImage() {
        synchronized (outboxLock) {
            return Arrays.copyOf(outboxImage, outboxImage.length);
        }
    }
}
