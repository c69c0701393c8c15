package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.codec.Checksum;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;
import org.headroom.storage.DirectFile;
import org.headroom.storage.FileStorageDomain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts and an SPM in one JVM over a real domain directory, with direct I/O: mixed pools (hosts
 * with and without events, each SPM policy), bad input, and a storage that flips bits and tears
 * writes under them.
 */
class MailboxIT {
    private static final long MIB = 1 << 20;

    @TempDir
    Path root;

    FileStorageDomain domain;
    ThreadScheduler pollers;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void makeDomain() {
        domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        pollers = ThreadScheduler.create("mailbox-it-hosts", 2, 10_000);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        pollers.close();
    }

    private VolumeRef volume(long size) {
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, size);
        return v;
    }

    private SpmMailbox spm(MailboxPolicy policy) throws Exception {
        ThreadScheduler inbox = ThreadScheduler.create("mailbox-it-spm", 1, 16);
        ThreadScheduler outbox = ThreadScheduler.create("mailbox-it-spm-outbox", 1, 16);
        ThreadScheduler workers = ThreadScheduler.create("mailbox-it-spm-extend", 4, 20_000);
        open.add(workers);
        open.add(outbox);
        open.add(inbox);
        SpmMailbox spm = new SpmMailbox(domain, policy, 250, inbox, outbox, workers);
        spm.start();
        open.add(spm);
        return spm;
    }

    private HostMailbox host(int id, MailboxPolicy policy) throws Exception {
        HostMailbox host = new HostMailbox(id, domain.uuid(), domain.inbox(), domain.outbox(), policy, 63, pollers);
        host.start();
        open.add(host);
        return host;
    }

    private long extend(HostMailbox host, VolumeRef v, long size, Duration within) throws Exception {
        return host.extend(v, size).toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aHostWithEventsIsServedByAHeadroomSpmInMilliseconds() throws Exception {
        spm(MailboxPolicy.HEADROOM);
        HostMailbox host = host(1, MailboxPolicy.HEADROOM);
        VolumeRef v = volume(64 * MIB);
        long start = System.nanoTime();
        assertThat(extend(host, v, 100 * MIB, Duration.ofSeconds(5))).isEqualTo(100 * MIB);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(domain.volumes().size(v)).isEqualTo(100 * MIB);
        assertThat(extend(host, v, 50 * MIB, Duration.ofSeconds(5))).as("already larger: left alone, success")
                .isEqualTo(50 * MIB);
        assertThat(domain.volumes().size(v)).isEqualTo(100 * MIB);
    }

    @Test
    void legacyHostsWithoutEventsAreServedByThePeriodicScan() throws Exception {
        SpmMailbox spm = spm(MailboxPolicy.HEADROOM);
        HostMailbox legacy = host(2, MailboxPolicy.LEGACY_HOST);
        List<CompletableFuture<Long>> replies = new ArrayList<>();
        List<VolumeRef> volumes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            VolumeRef v = volume(16 * MIB);
            volumes.add(v);
            replies.add(legacy.extend(v, 32 * MIB).toCompletableFuture());
        }
        for (CompletableFuture<Long> r : replies) {
            assertThat(r.get(25, TimeUnit.SECONDS)).isEqualTo(32 * MIB);
        }
        for (VolumeRef v : volumes) {
            assertThat(domain.volumes().size(v)).isEqualTo(32 * MIB);
        }
        assertThat(spm.stats().events()).as("the legacy host wrote no events").isZero();
    }

    @Test
    void aHostWithEventsIsServedByAnSpmInVdsmPolicy() throws Exception {
        spm(MailboxPolicy.VDSM);
        HostMailbox host = host(3, MailboxPolicy.HEADROOM);
        VolumeRef v = volume(16 * MIB);
        assertThat(extend(host, v, 20 * MIB, Duration.ofSeconds(10))).isEqualTo(20 * MIB);
    }

    @Test
    void anEventsOnlySpmServesHostsWritingEvents() throws Exception {
        SpmMailbox spm = spm(MailboxPolicy.EVENTS_ONLY);
        HostMailbox host = host(4, MailboxPolicy.HEADROOM);
        VolumeRef v = volume(16 * MIB);
        for (int i = 1; i <= 20; i++) {
            assertThat(extend(host, v, (16 + i) * MIB, Duration.ofSeconds(5))).isEqualTo((16 + i) * MIB);
        }
        assertThat(spm.stats().scans()).as("one scan at start, then one per event at most")
                .isLessThanOrEqualTo(1 + spm.stats().events());
    }

    @Test
    void theHighestHostIdIsServed() throws Exception {
        spm(MailboxPolicy.HEADROOM);
        HostMailbox host = host(250, MailboxPolicy.HEADROOM);
        assertThat(extend(host, volume(MIB), 2 * MIB, Duration.ofSeconds(5))).isEqualTo(2 * MIB);
    }

    @Test
    void failuresAreRepliesThatHostsSeeAsFailures() throws Exception {
        SpmMailbox spm = spm(MailboxPolicy.HEADROOM);
        HostMailbox host = host(5, MailboxPolicy.HEADROOM);
        VolumeRef unknown = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> extend(host, unknown, 10 * MIB, Duration.ofSeconds(5)))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ExtendFailedException.class)
                .hasMessageContaining(unknown.volume().toString());
        assertThat(spm.stats().failures()).isEqualTo(1);
        assertThat(spm.stats().rejectedMessages()).isEqualTo(1);
        // The host's own checks: another domain, sizes out of range.
        VolumeRef foreign = new VolumeRef(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> extend(host, foreign, MIB, Duration.ofSeconds(5))).hasMessageContaining("not on domain");
        assertThatThrownBy(() -> extend(host, volume(MIB), 0, Duration.ofSeconds(5))).hasMessageContaining("out of range");
    }

    @Test
    void aRogueBlockWithAValidChecksumIsRefusedOrIgnoredAndCounted() throws Exception {
        SpmMailbox spm = spm(MailboxPolicy.HEADROOM);
        byte[] block = new byte[MailboxLayout.BLOCK_SIZE];
        byte[] foreign = Message.encodeExtend(UUID.randomUUID(), UUID.randomUUID(), 10);
        byte[] tooBig = Message.encodeExtend(domain.uuid(), UUID.randomUUID(), 10);
        System.arraycopy("ffffffffffffffff".getBytes(), 0, tooBig, 37, 16);
        byte[] garbage = new byte[64];
        new Random(1).nextBytes(garbage);
        garbage[0] = 'Z';
        System.arraycopy(foreign, 0, block, 0, 64);
        System.arraycopy(tooBig, 0, block, 64, 64);
        System.arraycopy(garbage, 0, block, 128, 64);
        Checksum.seal(block);
        writeBlock(domain.inbox(), 9, block);
        HostMailbox host = host(10, MailboxPolicy.HEADROOM);
        assertThat(extend(host, volume(MIB), 2 * MIB, Duration.ofSeconds(5))).as("the SPM serves others meanwhile")
                .isEqualTo(2 * MIB);
        await().atMost(Duration.ofSeconds(5)).until(() -> spm.stats().rejectedMessages() == 3);
        byte[] outbox = readBlock(domain.outbox(), 9);
        assertThat(Message.decode(outbox, 0)).isEqualTo(new Message.Extend(((Message.Extend) Message.decode(foreign, 0)).domain(),
                ((Message.Extend) Message.decode(foreign, 0)).volume(), 0));
        assertThat(((Message.Extend) Message.decode(outbox, 64)).sizeMiB()).isZero();
        assertThat(Message.decode(outbox, 128)).as("nothing to answer garbage with").isInstanceOf(Message.Empty.class);
    }

    @Test
    void bitFlipsAndTornWritesInTheInboxAreCountedAndRequestsStillAnswered() throws Exception {
        SpmMailbox spm = spm(MailboxPolicy.HEADROOM);
        List<HostMailbox> hosts = new ArrayList<>();
        for (int id = 1; id <= 10; id++) {
            hosts.add(host(id, MailboxPolicy.HEADROOM));
        }
        AtomicBoolean chaos = new AtomicBoolean(true);
        AtomicLong corruptions = new AtomicLong();
        Thread corrupter = new Thread(() -> corrupt(chaos, corruptions), "inbox-corrupter");
        corrupter.start();
        try {
            List<CompletableFuture<Long>> replies = new ArrayList<>();
            List<VolumeRef> volumes = new ArrayList<>();
            for (int round = 1; round <= 25; round++) {
                for (HostMailbox h : hosts) {
                    if (volumes.size() < hosts.size()) {
                        volumes.add(volume(MIB));
                    }
                    VolumeRef v = volumes.get(h.hostId() - 1);
                    replies.add(h.extend(v, (1 + round) * MIB).toCompletableFuture());
                }
                Thread.sleep(50);
            }
            for (CompletableFuture<Long> r : replies) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
            }
            for (VolumeRef v : volumes) {
                assertThat(domain.volumes().size(v)).isEqualTo(26 * MIB);
            }
        } finally {
            chaos.set(false);
            corrupter.join();
        }
        assertThat(corruptions.get()).isPositive();
        assertThat(spm.stats().rejectedBlocks()).as("corrupt blocks seen and refused").isPositive();
    }

    @Test
    void aRequestCorruptedBeforeTheSpmReadItIsResentAndAnswered() throws Exception {
        HostMailbox host = host(7, MailboxPolicy.HEADROOM);
        VolumeRef v = volume(MIB);
        CompletableFuture<Long> reply = host.extend(v, 3 * MIB).toCompletableFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> Message.decode(readBlock(domain.inbox(), 7), 0) instanceof Message.Extend);
        byte[] block = readBlock(domain.inbox(), 7);
        block[40] ^= 0x04;
        writeBlock(domain.inbox(), 7, block);

        SpmMailbox spm = spm(MailboxPolicy.HEADROOM);
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo(3 * MIB);
        assertThat(spm.stats().rejectedBlocks()).isGreaterThanOrEqualTo(1);
        assertThat(host.stats().resends()).isGreaterThanOrEqualTo(1);
        assertThat(domain.volumes().size(v)).isEqualTo(3 * MIB);
    }

    /** Flips one bit, or tears a block (its first half replaced by noise), in random hosts' blocks. */
    private void corrupt(AtomicBoolean running, AtomicLong count) {
        Random random = new Random(42);
        try (DirectFile inbox = DirectFile.open(domain.inbox(), true)) {
            ByteBuffer buffer = DirectFile.buffer(MailboxLayout.BLOCK_SIZE);
            while (running.get()) {
                int host = 1 + random.nextInt(10);
                buffer.clear();
                inbox.read(MailboxLayout.blockOffset(host), buffer);
                if (random.nextBoolean()) {
                    int bit = random.nextInt(MailboxLayout.BLOCK_SIZE * 8);
                    buffer.put(bit / 8, (byte) (buffer.get(bit / 8) ^ (1 << (bit % 8))));
                } else {
                    byte[] noise = new byte[MailboxLayout.BLOCK_SIZE / 2];
                    random.nextBytes(noise);
                    buffer.put(0, noise);
                }
                buffer.clear();
                inbox.write(MailboxLayout.blockOffset(host), buffer);
                count.incrementAndGet();
                Thread.sleep(2);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void writeBlock(Path file, int host, byte[] block) throws Exception {
        try (DirectFile f = DirectFile.open(file, true)) {
            ByteBuffer b = DirectFile.buffer(block.length);
            b.put(block).flip();
            f.write(MailboxLayout.blockOffset(host), b);
        }
    }

    private static byte[] readBlock(Path file, int host) throws Exception {
        try (DirectFile f = DirectFile.open(file, false)) {
            ByteBuffer b = DirectFile.buffer(MailboxLayout.BLOCK_SIZE);
            f.read(MailboxLayout.blockOffset(host), b);
            byte[] block = new byte[MailboxLayout.BLOCK_SIZE];
            b.get(block);
            return block;
        }
    }
}
