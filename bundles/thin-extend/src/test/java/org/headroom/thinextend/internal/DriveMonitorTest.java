package org.headroom.thinextend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.thinextend.internal.DriveMonitor.Action;
import org.junit.jupiter.api.Test;

/** The state machine with a clock the test moves: no sleeping. */
class DriveMonitorTest {
    private static final long MIB = 1 << 20;
    private static final long MS = 1_000_000;
    private static final DriveRef VD0 = new DriveRef("vm", "vd0");
    private final ChunkPolicy policy = new ChunkPolicy(1024 * MIB, 20); // watermark 819.2 MiB
    private final DriveMonitor.Settings settings = new DriveMonitor.Settings(2000 * MS, 3);
    private long now = 1_000 * MS;

    private DriveMonitor monitor(long physical, long allocation) {
        DriveSizes sizes = new DriveSizes(10_240 * MIB, physical, allocation, false);
        return new DriveMonitor(VD0, policy, settings, sizes);
    }

    private List<Action> read(DriveMonitor m, long physical, long allocation, long armed) {
        return m.onReading(now, new DriveSizes(10_240 * MIB, physical, allocation, false), armed);
    }

    @Test
    void aFreshDriveIsArmedThenExtendedWhenTheThresholdFiresThenReArmed() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        long threshold = 1024 * MIB - 1024 * MIB * 80 / 100;
        assertThat(read(m, 1024 * MIB, 0, 0)).containsExactly(new Action.Arm(threshold));
        assertThat(m.state()).isEqualTo(DriveMonitor.State.ARMED);
        assertThat(read(m, 1024 * MIB, 10 * MIB, threshold)).as("armed already: nothing to do").isEmpty();

        now += 5 * MS;
        assertThat(m.onThresholdCrossed(now)).containsExactly(new Action.Extend(2048 * MIB, 1));
        assertThat(m.state()).isEqualTo(DriveMonitor.State.EXTENDING);
        assertThat(m.onThresholdCrossed(now)).as("a second trigger joins the first").isEmpty();

        now += 12 * MS;
        assertThat(m.onExtended(now, 2048 * MIB)).containsExactly(new Action.Arm(2048 * MIB - 1024 * MIB * 80 / 100));
        assertThat(m.state()).isEqualTo(DriveMonitor.State.ARMED);
        assertThat(m.extensions()).isEqualTo(1);
        assertThat(m.learned().extensionLatency()).isEqualTo(0.012);
    }

    @Test
    void aReadingThatFindsTheVolumeLowExtendsAtOnce() {
        DriveMonitor m = monitor(1024 * MIB, 900 * MIB);
        assertThat(read(m, 1024 * MIB, 900 * MIB, 0)).containsExactly(new Action.Extend(2048 * MIB, 1));
    }

    @Test
    void outOfSpaceExtendsAndResumesWhenDone() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        assertThat(m.onOutOfSpace(now)).containsExactly(new Action.Extend(2048 * MIB, 1));
        assertThat(m.onOutOfSpace(now)).isEmpty();
        assertThat(m.pauses()).isEqualTo(1);
        assertThat(m.onExtended(now + 10 * MS, 2048 * MIB)).containsExactly(
                new Action.Arm(2048 * MIB - 1024 * MIB * 80 / 100), new Action.Resume());
        assertThat(m.pausedForSpace()).isFalse();
    }

    @Test
    void outOfSpaceDuringAnExtensionResumesWhenItIsDone() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        m.onThresholdCrossed(now);
        assertThat(m.onOutOfSpace(now + MS)).isEmpty();
        assertThat(m.onExtended(now + 10 * MS, 2048 * MIB)).contains(new Action.Resume());
    }

    @Test
    void aLateExtensionIsAskedAgainThenReportedFailedAndTheVmStaysPaused() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        m.onOutOfSpace(now);
        now += 1000 * MS;
        assertThat(read(m, 1024 * MIB, 1024 * MIB, 0)).as("not late yet").isEmpty();
        now += 1001 * MS;
        assertThat(read(m, 1024 * MIB, 1024 * MIB, 0)).containsExactly(new Action.Extend(2048 * MIB, 2));
        now += 2001 * MS;
        assertThat(read(m, 1024 * MIB, 1024 * MIB, 0)).containsExactly(new Action.Extend(2048 * MIB, 3));
        now += 2001 * MS;
        List<Action> actions = read(m, 1024 * MIB, 1024 * MIB, 0);
        assertThat(actions).hasSize(1).first().isInstanceOf(Action.Report.class);
        assertThat(((Action.Report) actions.get(0)).problem()).contains("no reply after 3 attempts", "stays paused");
        assertThat(m.state()).isEqualTo(DriveMonitor.State.FAILED);
        now += 60_000 * MS;
        assertThat(read(m, 1024 * MIB, 1024 * MIB, 0)).as("never retried on its own, never resumed").isEmpty();
        assertThat(m.onOutOfSpace(now)).isEmpty();
    }

    @Test
    void anSpmFailureIsReportedAtOnceNotRetried() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        m.onOutOfSpace(now);
        List<Action> actions = m.onExtendFailed(now + MS, "the SPM replied with size 0", false);
        assertThat(actions).singleElement().isInstanceOf(Action.Report.class);
        assertThat(actions).noneMatch(a -> a instanceof Action.Resume);
        assertThat(m.failures()).isEqualTo(1);
    }

    @Test
    void aMailboxErrorIsRetriedUpToTheLimit() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        m.onThresholdCrossed(now);
        assertThat(m.onExtendFailed(now, "no reply", true)).containsExactly(new Action.Extend(2048 * MIB, 2));
        assertThat(m.onExtendFailed(now, "no reply", true)).containsExactly(new Action.Extend(2048 * MIB, 3));
        assertThat(m.onExtendFailed(now, "no reply", true)).singleElement().isInstanceOf(Action.Report.class);
    }

    @Test
    void aVolumeThatDidNotGrowIsAFailure() {
        DriveMonitor m = monitor(1024 * MIB, 0);
        read(m, 1024 * MIB, 0, 0);
        m.onThresholdCrossed(now);
        assertThat(m.onExtended(now, 1024 * MIB)).singleElement().isInstanceOf(Action.Report.class);
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
        m.onThresholdCrossed(now);
        m.onExtendFailed(now, "refused", false);
        assertThat(m.onExtendRequested(now, 3000 * MIB)).containsExactly(new Action.Extend(3000 * MIB, 1));
        assertThat(m.onExtended(now + MS, 3000 * MIB)).hasSize(1);
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
