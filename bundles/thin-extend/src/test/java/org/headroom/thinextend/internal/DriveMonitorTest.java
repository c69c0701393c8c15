package org.headroom.thinextend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.thinextend.internal.DriveMonitor.Action;
import org.headroom.thinextend.internal.DriveMonitor.Trigger;
import org.junit.jupiter.api.Test;

/** The state machine with a clock the test moves: no sleeping. */
class DriveMonitorTest {
    private static final long MIB = 1 << 20;
    private static final long MS = 1_000_000;
    private static final DriveRef VD0 = new DriveRef("vm", "vd0");
    private static final long DEADLINE = 61_000 * MS;
    private final ChunkPolicy policy = new ChunkPolicy(1024 * MIB, 20); // watermark 819.2 MiB
    private final DriveMonitor.Settings settings = new DriveMonitor.Settings(DEADLINE);
    private long now = 1_000 * MS;

    private DriveMonitor monitor(long physical, long allocation) {
        DriveSizes sizes = new DriveSizes(10_240 * MIB, physical, allocation, false);
        return new DriveMonitor(VD0, policy, settings, sizes);
    }

    private List<Action> read(DriveMonitor m, long physical, long allocation, long armed) {
        return m.onReading(now, new DriveSizes(10_240 * MIB, physical, allocation, false), armed);
    }

    /** The one Extend among {@code actions}. */
    private static Action.Extend extend(List<Action> actions) {
        assertThat(actions).hasSize(1).first().isInstanceOf(Action.Extend.class);
        return (Action.Extend) actions.get(0);
    }

    @Test
    void aFreshDriveIsArmedThenExtendedWhenTheThresholdFiresThenReArmed() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        long threshold = 1024 * MIB - 1024 * MIB * 80 / 100;
        assertThat(read(m, 1024 * MIB, 0, 0)).containsExactly(new Action.Arm(threshold));
        assertThat(m.state()).isEqualTo(DriveMonitor.State.ARMED);
        assertThat(read(m, 1024 * MIB, 10 * MIB, threshold)).as("armed already: nothing to do").isEmpty();

        now += 5 * MS;
        Action.Extend e = extend(m.onThresholdCrossed(now));
        assertThat(e.size()).isEqualTo(2048 * MIB);
        assertThat(e.id()).isEqualTo(1);
        assertThat(e.trigger()).isEqualTo(Trigger.THRESHOLD);
        assertThat(e.rule()).isEqualTo("physical 1024 MiB + chunk 1024 MiB (chunk policy, free space kept 819 MiB)");
        assertThat(m.state()).isEqualTo(DriveMonitor.State.EXTENDING);
        assertThat(m.onThresholdCrossed(now)).as("a second trigger joins the first").isEmpty();

        now += 12 * MS;
        assertThat(m.onExtended(now, e.id(), 2048 * MIB)).containsExactly(new Action.Arm(2048 * MIB - 1024 * MIB * 80 / 100));
        assertThat(m.state()).isEqualTo(DriveMonitor.State.ARMED);
        assertThat(m.extensions()).isEqualTo(1);
        assertThat(m.learned().extensionLatency()).isEqualTo(0.012);
    }

    @Test
    void eachExtensionHasItsOwnIdentityAndOnlyTheCurrentOneCounts() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        Action.Extend first = extend(m.onThresholdCrossed(now));
        m.onExtended(now + MS, first.id(), 2048 * MIB);
        Action.Extend second = extend(m.onThresholdCrossed(now + 2 * MS));
        assertThat(second.id()).isEqualTo(first.id() + 1);

        assertThat(m.current(first.id())).isFalse();
        assertThat(m.onExtended(now + 3 * MS, first.id(), 2048 * MIB)).as("the first, answered twice").isEmpty();
        assertThat(m.onExtendFailed(now + 3 * MS, first.id(), "late failure", true)).as("a stale failure").isEmpty();
        assertThat(m.state()).isEqualTo(DriveMonitor.State.EXTENDING);
        assertThat(m.extensions()).isEqualTo(1);
        assertThat(m.onExtended(now + 4 * MS, second.id(), 3072 * MIB)).hasSize(1);
        assertThat(m.extensions()).isEqualTo(2);
    }

    @Test
    void aReadingThatFindsTheVolumeLowExtendsAtOnce() {
        DriveMonitor m = monitor(1024 * MIB, 900 * MIB);
        Action.Extend e = extend(read(m, 1024 * MIB, 900 * MIB, 0));
        assertThat(e.size()).isEqualTo(2048 * MIB);
        assertThat(e.trigger()).isEqualTo(Trigger.CHECK);
    }

    @Test
    void outOfSpaceExtendsAndResumesWhenDone() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        Action.Extend e = extend(m.onOutOfSpace(now));
        assertThat(e.trigger()).isEqualTo(Trigger.OUT_OF_SPACE);
        assertThat(m.onOutOfSpace(now)).isEmpty();
        assertThat(m.pauses()).isEqualTo(1);
        assertThat(m.onExtended(now + 10 * MS, e.id(), 2048 * MIB)).containsExactly(
                new Action.Arm(2048 * MIB - 1024 * MIB * 80 / 100), new Action.Resume());
        assertThat(m.pausedForSpace()).isFalse();
    }

    @Test
    void outOfSpaceDuringAnExtensionResumesWhenItIsDone() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        Action.Extend e = extend(m.onThresholdCrossed(now));
        assertThat(m.onOutOfSpace(now + MS)).isEmpty();
        assertThat(m.onExtended(now + 10 * MS, e.id(), 2048 * MIB)).contains(new Action.Resume());
    }

    @Test
    void theMonitorNeverResendsItKeepsOneDeadlineThenReportsAndAsksAgainOnlyAsANewExtension() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        Action.Extend e = extend(m.onOutOfSpace(now));
        long started = now;
        for (now = started + 2_000 * MS; now - started <= DEADLINE; now += 2_000 * MS) {
            assertThat(read(m, 1024 * MIB, 1024 * MIB, 0)).as("no resend of its own at %d ms", (now - started) / MS).isEmpty();
        }
        List<Action> actions = read(m, 1024 * MIB, 1024 * MIB, 0);
        assertThat(actions).singleElement().isInstanceOf(Action.Report.class);
        assertThat(((Action.Report) actions.get(0)).problem()).contains("no answer within 61000 ms", "stays paused",
                "asked again");
        assertThat(m.state()).isEqualTo(DriveMonitor.State.FAILED);
        assertThat(m.onOutOfSpace(now)).as("failed: not asked again on every event").isEmpty();

        now += 2_000 * MS;
        assertThat(read(m, 1024 * MIB, 1024 * MIB, 0)).as("not before one more deadline").isEmpty();
        now += DEADLINE;
        Action.Extend retry = extend(read(m, 1024 * MIB, 1024 * MIB, 0));
        assertThat(retry.trigger()).isEqualTo(Trigger.RETRY);
        assertThat(retry.id()).isEqualTo(e.id() + 1);
        assertThat(m.current(e.id())).isFalse();
    }

    @Test
    void aSuccessAfterTheDeadlineStillCompletesReArmsAndResumes() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        Action.Extend e = extend(m.onOutOfSpace(now));
        now += DEADLINE + MS;
        assertThat(read(m, 1024 * MIB, 1024 * MIB, 0)).singleElement().isInstanceOf(Action.Report.class);
        assertThat(m.current(e.id())).as("still the current extension").isTrue();

        now += 5_000 * MS;
        assertThat(m.onExtended(now, e.id(), 2048 * MIB)).containsExactly(
                new Action.Arm(2048 * MIB - 1024 * MIB * 80 / 100), new Action.Resume());
        assertThat(m.state()).isEqualTo(DriveMonitor.State.ARMED);
        assertThat(m.problem()).isEmpty();
    }

    @Test
    void anSpmRefusalIsReportedAtOnceAndNeverAskedAgainOnItsOwn() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        Action.Extend e = extend(m.onOutOfSpace(now));
        List<Action> actions = m.onExtendFailed(now + MS, e.id(), "the SPM replied with size 0", true);
        assertThat(actions).singleElement().isInstanceOf(Action.Report.class);
        assertThat(actions).noneMatch(a -> a instanceof Action.Resume);
        assertThat(m.failures()).isEqualTo(1);
        now += 10 * DEADLINE;
        assertThat(read(m, 1024 * MIB, 1024 * MIB, 0)).as("a refusal is final until an admin acts").isEmpty();
        assertThat(m.current(e.id())).isFalse();
    }

    @Test
    void aVolumeThatDidNotGrowIsAFailure() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        Action.Extend e = extend(m.onThresholdCrossed(now));
        assertThat(m.onExtended(now, e.id(), 1024 * MIB)).singleElement().isInstanceOf(Action.Report.class);
        assertThat(m.state()).isEqualTo(DriveMonitor.State.FAILED);
    }

    @Test
    void atItsLargestSizeTheDriveIsNoLongerWatched() {
        DriveMonitor m = monitor(10_240 * MIB, 0);
        assertThat(read(m, 11_264 * MIB, 100 * MIB, 5 * MIB)).containsExactly(new Action.Arm(0));
        assertThat(m.state()).isEqualTo(DriveMonitor.State.DISABLED);
        assertThat(m.onThresholdCrossed(now)).isEmpty();
    }

    @Test
    void theLastExtensionBeforeTheCapSaysSo() {
        DriveMonitor m = monitor(10_900 * MIB, 0);
        read(m, 10_900 * MIB, 0, 0);
        Action.Extend e = extend(m.onThresholdCrossed(now));
        assertThat(e.size()).isEqualTo(11_264 * MIB);
        assertThat(e.rule()).isEqualTo("capped at 1.1 x capacity (11264 MiB)");
    }

    @Test
    void anImprobableAllocationPausesAndReports() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        List<Action> actions = read(m, 1024 * MIB, 4096 * MIB, 0);
        assertThat(actions).hasSize(2);
        assertThat(actions.get(0)).isInstanceOf(Action.Report.class);
        assertThat(actions.get(1)).isEqualTo(new Action.Pause("improbable allocation"));
    }

    @Test
    void anAdminExtensionLeadsOutOfFailed() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        Action.Extend e = extend(m.onThresholdCrossed(now));
        m.onExtendFailed(now, e.id(), "refused", true);
        Action.Extend admin = extend(m.onExtendRequested(now, 3000 * MIB));
        assertThat(admin.size()).isEqualTo(3000 * MIB);
        assertThat(admin.trigger()).isEqualTo(Trigger.ADMIN);
        assertThat(m.onExtended(now + MS, admin.id(), 3000 * MIB)).hasSize(1);
        assertThat(m.state()).isEqualTo(DriveMonitor.State.ARMED);
        assertThat(m.onExtendRequested(now, 100 * MIB)).as("already larger").isEmpty();
    }

    @Test
    void theWriteRateIsLearnedFromAllocationOverTime() {
        DriveMonitor m = monitor(10_240 * MIB, 0);
        read(m, 10_000 * MIB, 0, 0);
        now += 1000 * MS;
        read(m, 10_000 * MIB, 200 * MIB, 0);
        assertThat(m.learned().writeRate()).isEqualTo(200.0 * MIB);
        now += 1000 * MS;
        read(m, 10_000 * MIB, 300 * MIB, 0);
        assertThat(m.learned().writeRate()).isEqualTo(150.0 * MIB);
    }
}
