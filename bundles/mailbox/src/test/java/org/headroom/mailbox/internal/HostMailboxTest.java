package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.mailbox.MailboxException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.codec.Message;
import org.headroom.storage.DirectFile;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.FakeScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host side on a fake clock, over a real domain's inbox and outbox (direct I/O): resend,
 * timeout, CLEAN handshake and duplicates play out exactly, without sleeping. The test plays the
 * SPM by reading the inbox block and writing the outbox block itself.
 */
class HostMailboxTest {
    private static final long MIB = 1 << 20;
    private static final int HOST = 3;

    @TempDir
    Path root;

    private final FakeScheduler clock = new FakeScheduler();
    private FileStorageDomain domain;
    private HostMailbox host;
    private VolumeRef volume;

    @BeforeEach
    void setUp() throws Exception {
        domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        host = new HostMailbox(HOST, domain.uuid(), domain.inbox(), domain.outbox(), MailboxPolicy.HEADROOM, 63, clock);
        host.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        host.close();
    }

    private byte[] block(Path file, int blockIndex) throws Exception {
        ByteBuffer b = DirectFile.buffer(MailboxLayout.BLOCK_SIZE);
        try (DirectFile f = DirectFile.open(file, false)) {
            f.read(MailboxLayout.blockOffset(blockIndex), b);
        }
        byte[] bytes = new byte[MailboxLayout.BLOCK_SIZE];
        b.get(bytes);
        return bytes;
    }

    private byte[] slot(int slot) throws Exception {
        return Arrays.copyOfRange(block(domain.inbox(), HOST), slot * 64, slot * 64 + 64);
    }

    /** The SPM's answer: {@code message} in the host's outbox block at {@code slot}. */
    private void spmWrites(int slot, byte[] message) throws Exception {
        byte[] out = block(domain.outbox(), HOST);
        System.arraycopy(message, 0, out, slot * 64, 64);
        ByteBuffer b = DirectFile.buffer(MailboxLayout.BLOCK_SIZE);
        b.put(out).flip();
        try (DirectFile f = DirectFile.open(domain.outbox(), true)) {
            f.write(MailboxLayout.blockOffset(HOST), b);
        }
    }

    @Test
    void aRequestIsWrittenAnsweredCleanedAndItsSlotFreed() throws Exception {
        CompletableFuture<Long> reply = host.extend(volume, 5 * MIB).toCompletableFuture();
        assertThat(slot(0)[0]).as("nothing written before the host's tick").isZero();
        clock.runReady();
        byte[] request = slot(0);
        assertThat(Message.decode(request, 0)).isEqualTo(Message.decode(Message.encodeExtend(domain.uuid(), volume.volume(), 5), 0));

        spmWrites(0, request);
        clock.advance(Duration.ofMillis(2));
        assertThat(reply).isCompletedWithValue(5 * MIB);
        clock.runReady();
        assertThat(Message.isClean(slot(0), 0)).as("CLEAN written into the request's slot").isTrue();

        spmWrites(0, Message.clean());
        clock.advance(Duration.ofMillis(60));
        assertThat(slot(0)).as("freed once the SPM echoed CLEAN").containsOnly(0);
        assertThat(host.stats().replies()).isEqualTo(1);
    }

    @Test
    void aFailureReplyFailsTheCaller() throws Exception {
        CompletableFuture<Long> reply = host.extend(volume, 5 * MIB).toCompletableFuture();
        clock.runReady();
        byte[] failed = slot(0);
        System.arraycopy("0000000000000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, failed, 37, 16);
        spmWrites(0, failed);
        clock.advance(Duration.ofMillis(2));
        assertThat(reply).isCompletedExceptionally();
        assertThat(reply.handle((v, e) -> e)).isCompletedWithValueMatching(e -> e instanceof ExtendFailedException);
    }

    @Test
    void anUnansweredRequestIsResentDoublingThenTimesOutAndAskedAgainGetsTheSpmsAnswer() throws Exception {
        CompletableFuture<Long> first = host.extend(volume, 5 * MIB).toCompletableFuture();
        clock.runReady();
        byte[] request = slot(0);
        clock.advance(Duration.ofSeconds(59));
        // rewritten after 1, 2, 4, 8 and 16 s of silence (at about 1, 3, 7, 15 and 31 s), the next due at 63 s
        assertThat(host.stats().resends()).isEqualTo(5);
        assertThat(first).isNotDone();
        clock.advance(Duration.ofSeconds(2));
        assertThat(first).isCompletedExceptionally();
        assertThat(first.handle((v, e) -> e.getMessage())).isCompletedWithValueMatching(m -> m.contains("no reply"));
        assertThat(host.stats().timeouts()).isEqualTo(1);
        assertThat(slot(0)).as("the request stays on storage: the SPM may still answer").isEqualTo(request);

        CompletableFuture<Long> again = host.extend(volume, 5 * MIB).toCompletableFuture();
        clock.runReady();
        assertThat(slot(1)[0]).as("joined to the waiting slot, not a second one").isZero();
        assertThat(host.stats().adopted()).isEqualTo(1);
        spmWrites(0, request);
        clock.advance(Duration.ofMillis(50));
        assertThat(again).isCompletedWithValue(5 * MIB);
        assertThat(first).as("the timed-out caller was told once, and only once").isCompletedExceptionally();
    }

    @Test
    void identicalRequestsShareOneSlotAndEachCallerHasItsOwnFuture() throws Exception {
        CompletableFuture<Long> a = host.extend(volume, 5 * MIB).toCompletableFuture();
        clock.runReady();
        CompletableFuture<Long> b = host.extend(volume, 5 * MIB).toCompletableFuture();
        CompletableFuture<Long> other = host.extend(new VolumeRef(domain.uuid(), volume.image(), UUID.randomUUID()), 5 * MIB)
                .toCompletableFuture();
        clock.runReady();
        assertThat(a).isNotSameAs(b);
        assertThat(slot(1)[0]).as("the other volume's request").isNotZero();
        assertThat(slot(2)[0]).isZero();
        assertThat(host.stats().duplicates()).isEqualTo(1);
        b.cancel(false); // one caller giving up does not touch the other
        spmWrites(0, slot(0));
        clock.advance(Duration.ofMillis(2));
        assertThat(a).isCompletedWithValue(5 * MIB);
        assertThat(other).isNotDone();
    }

    @Test
    void extendNeverWaitsBehindTheMailboxIo() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread io = new Thread(() -> {
            synchronized (host) { // what a tick holds during its direct reads and writes
                holding.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        io.start();
        try {
            assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            CompletableFuture<Long> reply = host.extend(volume, 5 * MIB).toCompletableFuture();
            assertThat(System.nanoTime() - start).as("handed over, not written").isLessThan(TimeUnit.SECONDS.toNanos(1));
            assertThat(reply).isNotDone();
        } finally {
            release.countDown();
            io.join();
        }
    }

    @Test
    void theHandOverQueueIsBoundedAndSaysSo() {
        for (int i = 0; i < HostMailbox.HANDOVER_CAPACITY; i++) {
            host.extend(volume, (i + 1) * MIB);
        }
        CompletableFuture<Long> refused = host.extend(volume, 100_000 * MIB).toCompletableFuture();
        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.handle((v, e) -> e)).isCompletedWithValueMatching(e -> e instanceof MailboxException
                && e.getMessage().contains("1024 requests already wait to be written"));
        clock.runReady();
        assertThat(host.stats().requests()).as("63 in slots").isEqualTo(63);
    }

    @Test
    void stoppingFailsEveryCallerStillWaiting() throws Exception {
        CompletableFuture<Long> written = host.extend(volume, 5 * MIB).toCompletableFuture();
        clock.runReady();
        CompletableFuture<Long> handedOver = host.extend(volume, 6 * MIB).toCompletableFuture();
        host.close();
        assertThat(written).isCompletedExceptionally();
        assertThat(handedOver).isCompletedExceptionally();
        assertThat(block(domain.inbox(), HOST)).as("the protocol's stop: a zeroed block").containsOnly(0);
    }
}
