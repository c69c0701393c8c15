package org.headroom.mailbox.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.codec.EventsBlock;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;
import org.headroom.storage.DirectFile;
import org.headroom.storage.SmallDirectReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SPM side of the mailbox: watches the events block, scans the hosts' inbox blocks
 * {@code 1..maxHostId} when it changes (and periodically, for hosts that write no events), extends
 * requested volumes through the domain's backend on a small worker pool, and writes replies into
 * the outbox.
 *
 * <p>One thread ("mailbox-spm") does all inbox reads, another ("mailbox-spm-outbox") all outbox
 * writes, so that replies go out while a scan of many hosts is still reading; workers only extend
 * volumes and queue their replies. The outbox is zeroed at start and the inbox is read as if every
 * host's block were new, so that requests left pending by a previous SPM are answered.
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
    private final InboxScanner scanner;
    private final MailboxStats stats = new MailboxStats();
    private final ExecutorService workers;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger extending = new AtomicInteger();
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
    private final java.util.Map<UUID, VolumeRef> volumes = new java.util.concurrent.ConcurrentHashMap<>();
    /** When the volume index was last rebuilt; requests seen before then need no new rebuild. */
    private long indexedNanos = Long.MIN_VALUE / 2;
    private Thread loop;
    private Thread writer;
    private volatile boolean running;
    private UUID lastEvent = new UUID(0, 0);
    private long lastActivityNanos;
    private long legacySeenNanos = Long.MIN_VALUE / 2;
    private int rateIndex;
    private volatile long sectorBytesRead;

    /** A reply to write: the host's slot and the 64 bytes to put there. */
    private record Reply(int host, int slot, byte[] message, long seenNanos, boolean success) {
    }

    public SpmMailbox(StorageDomain domain, MailboxPolicy policy, int maxHostId, int workerThreads) {
        if (maxHostId < 1 || maxHostId > MailboxLayout.MAX_HOSTS) {
            throw new IllegalArgumentException("max host id " + maxHostId + " out of range 1.." + MailboxLayout.MAX_HOSTS);
        }
        this.domain = Objects.requireNonNull(domain);
        this.policy = Objects.requireNonNull(policy);
        this.maxHostId = maxHostId;
        this.scanner = new InboxScanner(domain.uuid(), maxHostId);
        this.outboxImage = new byte[(maxHostId + 1) * MailboxLayout.BLOCK_SIZE];
        this.outboxBuffer = DirectFile.buffer(outboxImage.length);
        this.inboxBuffer = DirectFile.buffer(maxHostId * MailboxLayout.BLOCK_SIZE);
        this.inboxBlocks = new byte[maxHostId * MailboxLayout.BLOCK_SIZE];
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(workerThreads, r -> {
            Thread t = new Thread(r, "mailbox-spm-extend-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public MailboxStats stats() {
        return stats;
    }

    public int maxHostId() {
        return maxHostId;
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
        running = true;
        loop = new Thread(this::run, "mailbox-spm");
        loop.setDaemon(true);
        writer = new Thread(this::writeReplies, "mailbox-spm-outbox");
        writer.setDaemon(true);
        loop.start();
        writer.start();
        LOG.info("SPM mailbox started on domain {}: hosts 1..{}, {} policy, events read {} bytes",
                domain.uuid(), maxHostId, policy.name(), eventsReader != null ? SmallDirectReader.SECTOR : DirectFile.BLOCK);
    }

    @Override
    public void close() throws IOException {
        Thread t;
        Thread w;
        synchronized (this) {
            running = false;
            t = loop;
            w = writer;
        }
        join(t);
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // After the workers: their last replies are written too.
        join(w);
        if (eventsReader != null) {
            eventsReader.close();
        }
        if (inbox != null) {
            inbox.close();
        }
        if (outbox != null) {
            outbox.close();
        }
        LOG.info("SPM mailbox stopped: {}", stats.summary());
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long now = System.nanoTime();
        long nextEvents = now;
        long nextScan = now;
        boolean first = true;
        while (running) {
            now = System.nanoTime();
            try {
                boolean scan = first;
                boolean announced = false;
                if (policy.spmReadsEvents() && now - nextEvents >= 0) {
                    if (eventChanged()) {
                        scan = true;
                        announced = true;
                        stats.events.increment();
                    }
                    nextEvents = now + (active(now) ? policy.eventsIntervalActive() : policy.eventsIntervalIdle()).toNanos();
                }
                if (policy.periodicScan() && now - nextScan >= 0) {
                    scan = true;
                }
                if (scan) {
                    scanInbox(announced || first, now);
                    long took = System.nanoTime() - now;
                    nextScan = now + scanInterval(now);
                    // A full scan of many hosts takes milliseconds: while events keep coming, leave
                    // as long again between scans, so that scanning takes at most half of the time
                    // (at most a quarter left a 2000-host burst waiting on scans more than on all else).
                    nextEvents = Math.max(nextEvents, System.nanoTime() + took);
                }
                first = false;
                sampleRate(now);
            } catch (IOException | RuntimeException e) {
                LOG.error("SPM mailbox: {}; retrying", e.toString(), e);
                LockSupport.parkNanos(policy.eventsIntervalIdle().toNanos());
            }
            long wake = policy.spmReadsEvents() ? nextEvents : nextScan;
            if (policy.periodicScan() && nextScan - wake < 0) {
                wake = nextScan;
            }
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(this, Math.min(sleep, TimeUnit.SECONDS.toNanos(1)));
            }
        }
    }

    /** The outbox writer: whatever is queued when it wakes goes out in one pass. */
    private void writeReplies() {
        while (running || !workers.isTerminated()) {
            if (replies.isEmpty()) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                continue;
            }
            try {
                flushReplies();
            } catch (IOException | RuntimeException e) {
                LOG.error("SPM mailbox: writing replies: {}; retrying", e.toString(), e);
                LockSupport.parkNanos(policy.eventsIntervalIdle().toNanos());
            }
        }
        flushQuietly();
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

    private void scanInbox(boolean announced, long now) throws IOException {
        stats.scans.increment();
        inboxBuffer.clear();
        inbox.read(MailboxLayout.blockOffset(1), inboxBuffer);
        byte[] blocks = inboxBlocks;
        inboxBuffer.get(blocks);
        for (int host = 1; host <= maxHostId; host++) {
            InboxScanner.Scan scan = scanner.scan(host, blocks, (host - 1) * MailboxLayout.BLOCK_SIZE);
            if (scan.badChecksum()) {
                stats.rejectedBlocks.increment();
                LOG.warn("SPM mailbox: host {} block has a bad checksum; ignored until rewritten", host);
                continue;
            }
            for (String bad : scan.malformed()) {
                stats.rejectedMessages.increment();
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
            stats.requests.increment();
            stats.rejectedMessages.increment();
            LOG.warn("SPM mailbox: host {} slot {} refused: {}", r.host(), r.slot(), r.reason());
            reply(new Reply(r.host(), r.slot(), failure(r.request()), seen, false));
        } else if (action instanceof InboxScanner.Action.Extend e) {
            stats.requests.increment();
            if (!announced && policy.periodicScan()) {
                // Found by the periodic scan, not announced by an event: a host that writes none.
                legacySeenNanos = seen;
            }
            extending.incrementAndGet();
            try {
                workers.execute(() -> extend(e, seen));
            } catch (RejectedExecutionException stopping) {
                extending.decrementAndGet();
            }
        }
    }

    private void extend(InboxScanner.Action.Extend e, long seen) {
        UUID volumeId = e.message().volume();
        long size = e.message().sizeMiB() * MIB;
        Reply reply;
        try {
            VolumeRef volume = lookUp(volumeId, seen);
            long reached;
            try {
                reached = domain.volumes().extend(volume, size);
            } catch (UnknownVolumeException gone) {
                // Removed (or moved to another image) since it was indexed: look it up once more.
                volumes.remove(volumeId);
                volume = lookUp(volumeId, System.nanoTime());
                reached = domain.volumes().extend(volume, size);
            }
            LOG.debug("SPM mailbox: host {} extended {} to {} MiB (now {} MiB)", e.host(), volume, e.message().sizeMiB(), reached / MIB);
            reply = new Reply(e.host(), e.slot(), e.request(), seen, true);
        } catch (UnknownVolumeException unknown) {
            stats.rejectedMessages.increment();
            LOG.warn("SPM mailbox: host {} asked to extend unknown volume {}", e.host(), volumeId);
            reply = new Reply(e.host(), e.slot(), failure(e.request()), seen, false);
        } catch (StorageException | IllegalArgumentException failed) {
            LOG.warn("SPM mailbox: host {}: extending volume {} failed: {}", e.host(), volumeId, failed.getMessage());
            reply = new Reply(e.host(), e.slot(), failure(e.request()), seen, false);
        }
        reply(reply);
        extending.decrementAndGet();
    }

    private void reply(Reply reply) {
        replies.add(reply);
        LockSupport.unpark(writer);
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
                indexedNanos = System.nanoTime();
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

    /** Writes queued replies, each changed host block once, nearby blocks in one write. */
    private void flushReplies() throws IOException {
        if (replies.isEmpty()) {
            return;
        }
        boolean[] dirty = new boolean[maxHostId + 1];
        List<Reply> written = new ArrayList<>();
        for (Reply r; (r = replies.poll()) != null; ) {
            System.arraycopy(r.message(), 0, outboxImage,
                    (int) MailboxLayout.blockOffset(r.host()) + r.slot() * MailboxLayout.MESSAGE_SIZE, MailboxLayout.MESSAGE_SIZE);
            dirty[r.host()] = true;
            written.add(r);
        }
        for (BlockRuns.Run run : BlockRuns.of(dirty, 1, REPLY_GAP_BLOCKS)) {
            int offset = (int) MailboxLayout.blockOffset(run.first());
            int length = run.blocks() * MailboxLayout.BLOCK_SIZE;
            ByteBuffer b = outboxBuffer.slice(offset, length);
            b.put(outboxImage, offset, length).flip();
            outbox.write(offset, b);
        }
        long now = System.nanoTime();
        for (Reply r : written) {
            if (Message.isClean(r.message(), 0)) {
                continue;
            }
            stats.latency.record(now - r.seenNanos());
            if (r.success()) {
                stats.replies.increment();
            } else {
                stats.failures.increment();
            }
        }
    }

    private void flushQuietly() {
        try {
            flushReplies();
        } catch (IOException e) {
            LOG.warn("SPM mailbox: could not write the last replies: {}", e.toString());
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
        return Arrays.copyOf(outboxImage, outboxImage.length);
    }
}
