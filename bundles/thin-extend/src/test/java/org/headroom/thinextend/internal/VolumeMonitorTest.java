package org.headroom.thinextend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.VmState;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.migration.DestinationRefreshException;
import org.headroom.api.mailbox.MailboxException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.FakeScheduler;
import org.headroom.thinextend.ExtensionRecord;
import org.headroom.thinextend.VolumeStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The volume monitor on a fake clock and scheduler: every callback runs on the test's thread when
 * the test moves time, so retries, late replies and races are played out exactly, without sleeping.
 * Volumes are real files of a real storage domain (file backend); the hypervisor and the SPM are
 * fakes that the test answers.
 */
class VolumeMonitorTest {
    private static final long MIB = 1 << 20;
    private static final DriveRef VD0 = new DriveRef("vm", "vd0");
    private static final DriveRef VD1 = new DriveRef("vm", "vd1");

    @TempDir
    Path dir;

    private final FakeScheduler clock = new FakeScheduler();
    private final FakeHypervisor hypervisor = new FakeHypervisor(10_240 * MIB);
    private final FakeSpm spm = new FakeSpm();
    private final List<ExtensionRecord> records = new ArrayList<>();
    private FileStorageDomain domain;
    private VolumeMonitor monitor;

    /** The SPM as the monitor sees it: requests wait until the test answers them. */
    private final class FakeSpm implements ExtendService {
        record Request(VolumeRef volume, long size, CompletableFuture<Long> reply) {
        }

        final List<Request> requests = new ArrayList<>();

        @Override
        public CompletionStage<Long> extend(VolumeRef volume, long size) {
            Request r = new Request(volume, size, new CompletableFuture<>());
            requests.add(r);
            return r.reply();
        }

        @Override
        public Duration replyTimeout() {
            return Duration.ofSeconds(60);
        }

        /** Grows the volume as the SPM would, then answers. */
        void succeed(Request r) {
            domain.volumes().extend(r.volume(), r.size());
            r.reply().complete(r.size());
            clock.runReady();
        }

        void fail(Request r, Throwable error) {
            r.reply().completeExceptionally(error);
            clock.runReady();
        }
    }

    @BeforeEach
    void setUp() {
        domain = FileStorageDomain.create(dir.resolve("sd"), UUID.randomUUID(), "file");
        monitor = new VolumeMonitor(new ChunkPolicy(1024 * MIB, 20), spm, DomainSet.of(dir.resolve("run"), domain),
                Duration.ofSeconds(2), clock, clock);
        monitor.onExtension(records::add);
        hypervisor.vm("vm", VmState.RUNNING);
    }

    private VolumeRef volume(DriveRef drive) {
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, 1024 * MIB);
        hypervisor.drive(drive, dir.resolve("sd/" + v.domain() + "/images/" + v.image() + "/" + v.volume()), 10 * MIB);
        return v;
    }

    private void start() {
        monitor.start();
        monitor.addHypervisor(hypervisor);
        clock.runReady();
    }

    private VolumeStatus status(DriveRef drive) {
        CompletableFuture<List<VolumeStatus>> all = monitor.volumes();
        clock.runReady();
        return all.join().stream().filter(s -> s.drive().equals(drive)).findFirst().orElse(null);
    }

    private void event(DriveEvent e) {
        hypervisor.emit(e);
        clock.runReady();
    }

    private void outOfSpace(DriveRef drive) {
        event(new DriveEvent.OutOfSpace(drive));
        event(new DriveEvent.Paused(drive.vm(), "io-error"));
    }

    @Test
    void aWatchedDriveIsArmedAndOneThresholdEventIsOneExtensionOneRecordOneReArm() {
        volume(VD0);
        start();
        assertThat(status(VD0).state()).isEqualTo("armed");
        assertThat(hypervisor.calls("arm")).containsExactly("arm vm/vd0 " + (1024 * MIB - 1024 * MIB * 80 / 100));

        clock.advance(Duration.ofMillis(5));
        hypervisor.emit(new DriveEvent.ThresholdCrossed(VD0, 1, 1));
        clock.stall(Duration.ofMillis(1)); // the monitor's thread takes the event a millisecond later
        clock.runReady();
        assertThat(spm.requests).hasSize(1);
        clock.advance(Duration.ofMillis(4));
        spm.succeed(spm.requests.get(0));

        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(1);
            assertThat(r.fromSize()).isEqualTo(1024 * MIB);
            assertThat(r.toSize()).isEqualTo(2048 * MIB);
            assertThat(r.trigger()).isEqualTo("threshold");
            assertThat(r.waitNanos()).as("event to request").isEqualTo(1_000_000);
            assertThat(r.extendNanos()).isEqualTo(4_000_000);
            assertThat(r.totalNanos()).isEqualTo(5_000_000);
            assertThat(r.late()).isFalse();
        });
        assertThat(hypervisor.calls("arm")).last().isEqualTo("arm vm/vd0 " + (2048 * MIB - 1024 * MIB * 80 / 100));
        assertThat(status(VD0).state()).isEqualTo("armed");
        assertThat(status(VD0).rule()).contains("physical 1024 MiB + chunk 1024 MiB");
        assertThat(monitor.status().extensions()).isEqualTo(1);
    }

    @Test
    void anExtensionStillInFlightIsNeverSentAgainByTheMonitorAndCompletesOnce() {
        volume(VD0);
        start();
        outOfSpace(VD0);
        for (int i = 0; i < 25; i++) { // 50 s of periodic checks, duplicate events and pauses
            clock.advance(Duration.ofSeconds(2));
            event(new DriveEvent.ThresholdCrossed(VD0, 1, 1));
            outOfSpace(VD0);
        }
        assertThat(spm.requests).as("resending is the mailbox's job alone").hasSize(1);
        assertThat(status(VD0).state()).isEqualTo("extending");

        spm.succeed(spm.requests.get(0));
        spm.requests.get(0).reply().complete(2048 * MIB); // answered twice: a no-op
        clock.runReady();

        assertThat(records).as("one completion, one record").hasSize(1);
        assertThat(records.get(0).resumed()).isTrue();
        assertThat(hypervisor.calls("resume")).hasSize(1);
        assertThat(monitor.status().extensions()).isEqualTo(1);
        assertThat(monitor.status().pauses()).as("one pause, however many events told of it").isEqualTo(1);
    }

    @Test
    void aReplyLaterThanTheOldTenSecondsStillCompletesReArmsAndResumes() {
        volume(VD0);
        start();
        outOfSpace(VD0);
        clock.advance(Duration.ofSeconds(30));
        assertThat(status(VD0).state()).isEqualTo("extending");
        spm.succeed(spm.requests.get(0));
        assertThat(status(VD0).state()).isEqualTo("armed");
        assertThat(hypervisor.calls("resume")).containsExactly("resume vm");
        assertThat(records).singleElement().satisfies(r -> assertThat(r.late()).isFalse());
    }

    @Test
    void aSuccessAfterTheDeadlineCompletesTheFailedExtension() {
        volume(VD0);
        start();
        outOfSpace(VD0);
        clock.advance(Duration.ofSeconds(64));
        VolumeStatus failed = status(VD0);
        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.problem()).contains("no answer within 61000 ms");
        assertThat(monitor.status().failures()).isEqualTo(1);
        assertThat(hypervisor.calls("resume")).isEmpty();

        spm.succeed(spm.requests.get(0));

        assertThat(status(VD0).state()).isEqualTo("armed");
        assertThat(hypervisor.calls("resume")).containsExactly("resume vm");
        assertThat(records).singleElement().satisfies(r -> assertThat(r.late()).isTrue());
        assertThat(spm.requests).hasSize(1);
    }

    @Test
    void aRefusalIsFinalTheVmStaysPausedAndTheReasonIsShown() {
        volume(VD0);
        start();
        outOfSpace(VD0);
        spm.fail(spm.requests.get(0), new ExtendFailedException(status(VD0).volume(), "the SPM replied with size 0"));

        VolumeStatus s = status(VD0);
        assertThat(s.state()).isEqualTo("failed");
        assertThat(s.problem()).contains("the SPM replied with size 0");
        clock.advance(Duration.ofMinutes(10));
        assertThat(spm.requests).as("never asked again on its own").hasSize(1);
        assertThat(hypervisor.calls("resume")).isEmpty();
        assertThat(records).isEmpty();
    }

    @Test
    void aMigratingVolumeIsRefreshedOnTheDestinationBeforeThisHostAndADestinationFailureFailsTheExtension() {
        VolumeRef v = volume(VD0);
        List<String> destination = new ArrayList<>();
        List<CompletableFuture<Void>> refreshes = new ArrayList<>();
        monitor.migratingVolumes((volume, size) -> {
            destination.add(volume.volume() + " >= " + size / MIB + " MiB");
            CompletableFuture<Void> refreshed = new CompletableFuture<>();
            refreshes.add(refreshed);
            return refreshed;
        });
        start();
        outOfSpace(VD0);
        spm.succeed(spm.requests.get(0));
        assertThat(destination).containsExactly(v.volume() + " >= 2048 MiB");
        assertThat(hypervisor.calls("arm")).as("not re-armed before the destination refreshed").hasSize(1);
        assertThat(records).isEmpty();

        refreshes.get(0).completeExceptionally(new DestinationRefreshException("host2 sees 1024 MiB"));
        clock.runReady();
        assertThat(status(VD0).state()).isEqualTo("failed");
        assertThat(status(VD0).problem()).contains("host2 sees 1024 MiB");
        assertThat(hypervisor.calls("resume")).isEmpty();

        clock.advance(Duration.ofSeconds(63));
        assertThat(spm.requests).as("asked again").hasSize(2);
        spm.succeed(spm.requests.get(1));
        // The first extension did grow the volume on storage: the retry asks one chunk more.
        assertThat(destination).containsExactly(v.volume() + " >= 2048 MiB", v.volume() + " >= 3072 MiB");
        refreshes.get(1).complete(null);
        clock.runReady();
        assertThat(records).singleElement().satisfies(r -> assertThat(r.resumed()).isTrue());
        assertThat(hypervisor.calls("arm")).last().isEqualTo("arm vm/vd0 " + (3072 * MIB - 1024 * MIB * 80 / 100));
    }

    @Test
    void aMailboxTimeoutIsAskedAgainAsANewExtensionOneDeadlineLater() {
        volume(VD0);
        start();
        outOfSpace(VD0);
        clock.advance(Duration.ofSeconds(60));
        spm.fail(spm.requests.get(0), new MailboxException("no reply from the SPM within PT60S"));
        assertThat(status(VD0).state()).isEqualTo("failed");

        clock.advance(Duration.ofSeconds(59));
        assertThat(spm.requests).hasSize(1);
        clock.advance(Duration.ofSeconds(4));
        assertThat(spm.requests).hasSize(2);
        assertThat(status(VD0).trigger()).isEqualTo("retry");

        spm.succeed(spm.requests.get(1));
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(2);
            assertThat(r.resumed()).isTrue();
        });
    }

    @Test
    void aVmThatStopsMidExtensionIsNeitherReArmedNorResumedByTheLateReply() {
        volume(VD0);
        start();
        outOfSpace(VD0);
        int arms = hypervisor.calls("arm").size();
        event(new DriveEvent.Stopped("vm"));
        assertThat(status(VD0)).isNull();

        spm.succeed(spm.requests.get(0));

        assertThat(hypervisor.calls("arm")).hasSize(arms);
        assertThat(hypervisor.calls("resume")).isEmpty();
        assertThat(records).isEmpty();
        assertThat(monitor.status().stale()).isEqualTo(1);
    }

    @Test
    void aReplyForTheDriveBeforeItsVmRestartedDoesNotCompleteTheNewOne() {
        volume(VD0);
        start();
        outOfSpace(VD0);
        event(new DriveEvent.Stopped("vm"));
        hypervisor.vm("vm", VmState.RUNNING);
        event(new DriveEvent.Started("vm"));
        event(new DriveEvent.OutOfSpace(VD0));
        assertThat(spm.requests).hasSize(2);

        spm.succeed(spm.requests.get(0));
        assertThat(records).as("the old VM's extension").isEmpty();
        assertThat(status(VD0).state()).isEqualTo("extending");
        assertThat(monitor.status().stale()).isEqualTo(1);

        spm.succeed(spm.requests.get(1));
        assertThat(records).hasSize(1);
        assertThat(status(VD0).state()).isEqualTo("armed");
    }

    @Test
    void aHypervisorGoingAwayMidExtensionIsNeverCalledAgain() {
        volume(VD0);
        start();
        event(new DriveEvent.ThresholdCrossed(VD0, 1, 1));
        int calls = hypervisor.calls.size();
        monitor.removeHypervisor(hypervisor);
        clock.runReady();

        spm.succeed(spm.requests.get(0));
        clock.advance(Duration.ofSeconds(10));

        assertThat(hypervisor.calls).hasSize(calls);
        assertThat(records).isEmpty();
        assertThat(monitor.status().watched()).isZero();
    }

    @Test
    void twoDrivesOfOneVmExtendAtOnceAndTheVmResumesOnceBothAreDone() {
        volume(VD0);
        volume(VD1);
        start();
        outOfSpace(VD0);
        outOfSpace(VD1);
        assertThat(spm.requests).hasSize(2);
        assertThat(spm.requests.get(0).volume()).isNotEqualTo(spm.requests.get(1).volume());

        spm.succeed(spm.requests.get(1));
        assertThat(hypervisor.calls("resume")).as("vd0 is still out of space").isEmpty();
        assertThat(status(VD1).state()).isEqualTo("armed");

        spm.succeed(spm.requests.get(0));
        assertThat(hypervisor.calls("resume")).containsExactly("resume vm");
        assertThat(records).extracting(r -> r.drive().drive()).containsExactly("vd1", "vd0");
    }

    @Test
    void aReadingTakenBeforeAnExtensionAndAnsweredAfterItStartsNoOther() {
        volume(VD0);
        start();
        hypervisor.allocation(VD0, 900 * MIB);
        event(new DriveEvent.ThresholdCrossed(VD0, 1, 1));
        hypervisor.heldReadings = new ArrayList<>();
        clock.advance(Duration.ofSeconds(2)); // the periodic check asks: physical 1024 MiB, nothing armed
        List<Runnable> stale = hypervisor.heldReadings;
        assertThat(stale).hasSize(1);
        hypervisor.heldReadings = null;
        spm.succeed(spm.requests.get(0)); // the extension completes: 2048 MiB, re-armed
        int arms = hypervisor.calls("arm").size();

        stale.forEach(Runnable::run);
        clock.runReady();

        assertThat(spm.requests).as("the old reading's 1024 MiB is not news").hasSize(1);
        assertThat(hypervisor.calls("arm")).as("nor is its empty threshold").hasSize(arms);
        assertThat(status(VD0).physical()).isEqualTo(2048 * MIB);
    }

    @Test
    void aLostEventIsCaughtByThePeriodicCheck() {
        volume(VD0);
        start();
        hypervisor.allocation(VD0, 900 * MIB); // the guest wrote; the threshold event was lost
        clock.advance(Duration.ofSeconds(2));
        assertThat(spm.requests).hasSize(1);
        assertThat(status(VD0).trigger()).isEqualTo("check");
    }

    @Test
    void aVolumesFiguresOutliveItsVmAndTheMonitorsRestart() throws Exception {
        Path file = dir.resolve("data/volume-history.tsv");
        monitor = new VolumeMonitor(new ChunkPolicy(1024 * MIB, 20), spm, DomainSet.of(dir.resolve("run"), domain),
                Duration.ofSeconds(2), clock, clock, file);
        VolumeRef v = volume(VD0);
        start();
        outOfSpace(VD0);
        spm.succeed(spm.requests.get(0));
        event(new DriveEvent.Stopped("vm"));
        assertThat(monitor.volumes(false)).isNotDone();
        clock.runReady();
        assertThat(status(VD0)).as("not watched any more").isNull();
        CompletableFuture<List<VolumeStatus>> all = monitor.volumes(true);
        clock.runReady();
        assertThat(all.join()).singleElement().satisfies(s -> {
            assertThat(s.watched()).isFalse();
            assertThat(s.state()).isEqualTo("stopped");
            assertThat(s.volume()).isEqualTo(v);
            assertThat(s.extensions()).isEqualTo(1);
            assertThat(s.pauses()).isEqualTo(1);
            assertThat(s.physical()).isEqualTo(2048 * MIB);
        });
        monitor.close();
        clock.runReady();

        // The bundle restarted: a new monitor on the same file; the VM starts again.
        VolumeMonitor again = new VolumeMonitor(new ChunkPolicy(1024 * MIB, 20), spm,
                DomainSet.of(dir.resolve("run"), domain), Duration.ofSeconds(2), clock, clock, file);
        monitor = again;
        start();
        VolumeStatus watched = status(VD0);
        assertThat(watched.watched()).isTrue();
        assertThat(watched.extensions()).as("counted before the restart").isEqualTo(1);
        assertThat(watched.pauses()).isEqualTo(1);
        assertThat(watched.trigger()).isEqualTo("out-of-space");
    }

    @Test
    void anAdminExtensionJoinsTheOneInFlightAndCompletesWithIt() {
        volume(VD0);
        start();
        event(new DriveEvent.ThresholdCrossed(VD0, 1, 1));
        CompletableFuture<Long> admin = monitor.extend(VD0, 0);
        clock.runReady();
        assertThat(admin).isNotDone();
        assertThat(spm.requests).hasSize(1);
        spm.succeed(spm.requests.get(0));
        assertThat(admin).isCompletedWithValue(2048 * MIB);

        CompletableFuture<Long> unknown = monitor.extend(new DriveRef("vm", "vdz"), 0);
        clock.runReady();
        assertThat(unknown).isCompletedExceptionally();
    }
}
