package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.FakeScheduler;
import org.headroom.testing.RefusingDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SPM side on a fake clock over a real domain: its timing and its failure replies, exactly. */
class SpmMailboxTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path root;

    private final FakeScheduler clock = new FakeScheduler();

    private SpmMailbox spm(StorageDomain domain) throws Exception {
        SpmMailbox spm = new SpmMailbox(domain, MailboxPolicy.HEADROOM, 250, clock, clock, clock);
        spm.start();
        return spm;
    }

    private HostMailbox host(StorageDomain domain, int id, MailboxPolicy policy) throws Exception {
        HostMailbox h = new HostMailbox(id, domain.uuid(), domain.inbox(), domain.outbox(), policy, 63, clock);
        h.start();
        return h;
    }

    private static VolumeRef volume(StorageDomain domain) {
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, MIB);
        return v;
    }

    /**
     * An older VDSM host writes no events: the default policy's periodic scan must serve it as soon
     * as VDSM's own SPM would, within its 2 s scan.
     */
    @Test
    void aHostThatWritesNoEventsIsServedWithinTwoSecondsByDefault() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        VolumeRef v = volume(domain);
        SpmMailbox spm = spm(domain);
        clock.advance(Duration.ofMillis(100)); // the start's first scan is done
        HostMailbox legacy = host(domain, 5, MailboxPolicy.LEGACY_HOST);
        CompletableFuture<Long> reply = legacy.extend(v, 3 * MIB).toCompletableFuture();
        clock.runReady();
        assertThat(spm.stats().replies()).isZero();

        clock.advance(Duration.ofMillis(2000));
        assertThat(spm.stats().replies()).as("answered by the periodic scan within 2 s").isEqualTo(1);
        assertThat(domain.volumes().size(v)).isEqualTo(3 * MIB);
        clock.advance(Duration.ofSeconds(2)); // the legacy host reads its outbox every 2 s
        assertThat(reply).isCompletedWithValue(3 * MIB);
        assertThat(spm.stats().events()).isZero();
        legacy.close();
        spm.close();
    }

    /**
     * With the lockspace's live hosts known, the periodic scan reads only their blocks: a host that
     * writes no events and renews its delta lease is served as before, a block of a host not live
     * is not read at all, and a scan an event announced still reads every block.
     */
    @Test
    void thePeriodicScanReadsOnlyTheLiveHostsBlocks() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        VolumeRef live = volume(domain);
        VolumeRef notLive = volume(domain);
        SpmMailbox spm = spm(domain);
        spm.limitPeriodicScanTo(() -> java.util.Optional.of(java.util.Set.of(1, 5, 6)));
        clock.advance(Duration.ofMillis(100)); // the start's first scan (every block) is done
        HostMailbox five = host(domain, 5, MailboxPolicy.LEGACY_HOST);
        HostMailbox hundred = host(domain, 100, MailboxPolicy.LEGACY_HOST);
        five.extend(live, 3 * MIB);
        hundred.extend(notLive, 3 * MIB);
        clock.runReady();

        long scansBefore = spm.stats().scans();
        clock.advance(Duration.ofMillis(2000));
        assertThat(spm.lastError()).isEmpty();
        assertThat(spm.stats().scans() - scansBefore).isEqualTo(1);
        assertThat(domain.volumes().size(live)).as("host 5, live, served by the periodic scan").isEqualTo(3 * MIB);
        assertThat(domain.volumes().size(notLive)).as("host 100's block was not read").isEqualTo(MIB);

        // A host that writes events announces its request: that scan reads every block.
        HostMailbox hundredWithEvents = host(domain, 100, MailboxPolicy.HEADROOM);
        hundredWithEvents.extend(notLive, 4 * MIB);
        clock.advance(Duration.ofMillis(200));
        assertThat(domain.volumes().size(notLive)).isEqualTo(4 * MIB);
        five.close();
        hundred.close();
        hundredWithEvents.close();
        spm.close();
    }

    /** A quiet SPM reads the events block a twentieth as often, and still serves the next request within 100 ms. */
    @Test
    void aQuietSpmPollsTheEventsBlockLessOftenAndStillServesWithinAHundredMilliseconds() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        VolumeRef v = volume(domain);
        SpmMailbox spm = spm(domain);
        clock.advance(Duration.ofMillis(2500)); // idle, not yet quiet; the windows fall between the 2 s scans
        long b0 = spm.bytesRead();
        clock.advance(Duration.ofSeconds(1));
        long idlePerSecond = spm.bytesRead() - b0;
        clock.advance(Duration.ofSeconds(11)); // quiet now
        long b1 = spm.bytesRead();
        clock.advance(Duration.ofSeconds(1));
        long quietPerSecond = spm.bytesRead() - b1;
        assertThat(idlePerSecond).as("idle: the events block every 5 ms").isEqualTo(200 * 512);
        assertThat(quietPerSecond).as("quiet: every 100 ms").isEqualTo(10 * 512);

        HostMailbox h = host(domain, 2, MailboxPolicy.HEADROOM);
        CompletableFuture<Long> reply = h.extend(v, 3 * MIB).toCompletableFuture();
        clock.advance(Duration.ofMillis(100));
        assertThat(spm.stats().replies()).as("noticed within 100 ms").isEqualTo(1);
        clock.advance(Duration.ofMillis(60));
        assertThat(reply).isCompletedWithValue(3 * MIB);
        h.close();
        spm.close();
    }

    @Test
    void aHostThatWritesEventsIsServedWithinMilliseconds() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        VolumeRef v = volume(domain);
        SpmMailbox spm = spm(domain);
        clock.advance(Duration.ofMillis(100));
        HostMailbox h = host(domain, 6, MailboxPolicy.HEADROOM);
        CompletableFuture<Long> reply = h.extend(v, 3 * MIB).toCompletableFuture();
        clock.advance(Duration.ofMillis(10));
        assertThat(reply).isCompletedWithValue(3 * MIB);
        h.close();
        spm.close();
    }

    /** Whatever a backend throws, the host gets a failure reply and the SPM's count of work in flight is right. */
    @Test
    void aBackendThatThrowsSomethingUnexpectedStillGetsAFailureReply() throws Exception {
        FileStorageDomain real = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        VolumeRef v = volume(real);
        StorageDomain broken = new RefusingDomain(real, () -> new IllegalStateException("a bug in the backend"));
        SpmMailbox spm = spm(broken);
        HostMailbox h = host(real, 2, MailboxPolicy.HEADROOM);
        CompletableFuture<Long> reply = h.extend(v, 3 * MIB).toCompletableFuture();
        clock.advance(Duration.ofMillis(20));

        assertThat(reply).isCompletedExceptionally();
        assertThat(reply.handle((x, e) -> e)).isCompletedWithValueMatching(e -> e instanceof ExtendFailedException);
        assertThat(spm.stats().failures()).isEqualTo(1);
        assertThat(spm.extending()).isZero();
        h.close();
        spm.close();
    }
}
