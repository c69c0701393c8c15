package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.junit.jupiter.api.Test;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.IOErrorAction;
import org.libvirt.event.StoppedDetail;
import org.libvirt.event.SuspendedDetail;

/** libvirt's callbacks to drive events, and the vda[N] index logic, without libvirt. */
class EventTranslatorTest {
    private static final long MIB = 1 << 20;
    private static final DriveRef VDA = new DriveRef("vm1", "vda");

    private final FakeDomains domains = new FakeDomains().vm("vm1", "vda", 2);
    private final List<DriveEvent> events = new ArrayList<>();
    private final EventTranslator translator = new EventTranslator(domains, events::add);

    private DriveInfo vda() {
        return translator.drives("vm1").stream().filter(d -> d.ref().equals(VDA)).findFirst().orElseThrow();
    }

    @Test
    void theUnindexedTwinOfAThresholdEventIsIgnored() {
        translator.armed(VDA, MIB);
        assertThat(translator.node(VDA)).isEqualTo("vda[2]");

        translator.thresholdCrossed("vm1", "vda", MIB, 4096);
        assertThat(events).isEmpty();
        assertThat(translator.ignored()).isEqualTo(1);

        translator.thresholdCrossed("vm1", "vda[2]", MIB, 4096);
        assertThat(events).containsExactly(new DriveEvent.ThresholdCrossed(VDA, MIB, 4096));
        assertThat(translator.ignored()).isEqualTo(1);
    }

    @Test
    void anEventOfABackingImageIsIgnoredAfterTheChainIsReadAgain() {
        translator.node(VDA);
        int reads = domains.driveReads;

        translator.thresholdCrossed("vm1", "vda[1]", MIB, 1);

        assertThat(domains.driveReads).as("read again: the chain may have changed").isEqualTo(reads + 1);
        assertThat(events).isEmpty();
        assertThat(translator.ignored()).isEqualTo(1);
    }

    @Test
    void anEventOfAnUnknownIndexReadsTheChainAgainAndCountsWhenItIsTheNewTop() {
        assertThat(translator.node(VDA)).isEqualTo("vda[2]");
        domains.disk("vm1", "vda", 5); // a snapshot made a new top image
        int reads = domains.driveReads;

        translator.thresholdCrossed("vm1", "vda[5]", MIB, 7);

        assertThat(domains.driveReads).isEqualTo(reads + 1);
        assertThat(events).containsExactly(new DriveEvent.ThresholdCrossed(VDA, MIB, 7));
        assertThat(translator.node(VDA)).as("the new index, known without another read").isEqualTo("vda[5]");
        assertThat(domains.driveReads).isEqualTo(reads + 1);
    }

    @Test
    void aThresholdIsOneShotItReadsAsDisarmedOnceItFired() {
        translator.node(VDA);
        translator.armed(VDA, 2 * MIB);
        assertThat(vda().threshold()).isEqualTo(2 * MIB);

        translator.thresholdCrossed("vm1", "vda[2]", 2 * MIB, 100);

        assertThat(vda().threshold()).isZero();
    }

    @Test
    void theNodeToArmIsReadWhenNotKnownAndIsTheDiskWithoutAnIndex() {
        FakeDomains old = new FakeDomains().vm("vm2", "vdb", null);
        EventTranslator t = new EventTranslator(old, events::add);

        assertThat(t.node(new DriveRef("vm2", "vdb"))).isEqualTo("vdb");
        assertThat(old.driveReads).isEqualTo(1);
        assertThatThrownBy(() -> t.node(new DriveRef("nobody", "vda"))).isInstanceOf(HypervisorException.class);
    }

    @Test
    void drivesCarryTheArmedThresholdAndMakeTheVmKnown() {
        assertThat(translator.vms()).isEmpty();

        assertThat(vda().nodeName()).isEqualTo("vda[2]");
        assertThat(vda().threshold()).isZero();

        assertThat(translator.vms()).containsExactly(new VmInfo("vm1", "libvirt", VmState.RUNNING, ""));
    }

    @Test
    void lifecycleEventsBecomeDriveEventsWithTheStateReadAgain() {
        translator.connected(false);
        events.clear();
        domains.state("vm1", VmState.PAUSED, "io-error");

        translator.lifecycle("vm1", new DomainEvent(DomainEventType.SUSPENDED, SuspendedDetail.IOERROR.ordinal()));
        translator.lifecycle("vm1", new DomainEvent(DomainEventType.SUSPENDED, SuspendedDetail.PAUSED.ordinal()));
        assertThat(translator.vms()).containsExactly(new VmInfo("vm1", "libvirt", VmState.PAUSED, "io-error"));
        domains.state("vm1", VmState.RUNNING, "");
        translator.lifecycle("vm1", new DomainEvent(DomainEventType.RESUMED, 0));
        translator.lifecycle("vm1", new DomainEvent(DomainEventType.DEFINED, 0));
        translator.lifecycle("vm1", new DomainEvent(DomainEventType.STOPPED, StoppedDetail.SHUTDOWN.ordinal()));

        assertThat(events).containsExactly(new DriveEvent.Paused("vm1", "io-error"), new DriveEvent.Paused("vm1", "paused"),
                new DriveEvent.Resumed("vm1"), new DriveEvent.Stopped("vm1"));
        assertThat(translator.vms()).isEmpty();
    }

    @Test
    void aVmThatLandsByMigrationIsToldStartedWhenItRunsNotWhileItMigrates() {
        // The destination's domain: started paused for the incoming migration, libvirt holding it.
        domains.state("vm1", VmState.MIGRATING, "");
        translator.lifecycle("vm1", new DomainEvent(DomainEventType.STARTED, 0));
        assertThat(translator.vms()).containsExactly(new VmInfo("vm1", "libvirt", VmState.MIGRATING, ""));

        domains.state("vm1", VmState.RUNNING, "");
        translator.lifecycle("vm1", new DomainEvent(DomainEventType.RESUMED, 0));
        translator.lifecycle("vm1", new DomainEvent(DomainEventType.SUSPENDED, SuspendedDetail.PAUSED.ordinal()));
        domains.state("vm1", VmState.PAUSED, "");
        translator.lifecycle("vm1", new DomainEvent(DomainEventType.RESUMED, 0)); // an ordinary resume: no takeover

        assertThat(events).containsExactly(new DriveEvent.Started("vm1"), new DriveEvent.Started("vm1"),
                new DriveEvent.Resumed("vm1"), new DriveEvent.Paused("vm1", "paused"), new DriveEvent.Resumed("vm1"));
    }

    @Test
    void anIoErrorReportsTheDisksOutOfSpaceOnly() {
        domains.disk("vm1", "vdb", 1).outOfSpace("vm1", "vdb");

        translator.ioError("vm1", "/run/headroom/vm1/vdb", IOErrorAction.PAUSE);
        translator.ioError("gone", "/x", IOErrorAction.PAUSE); // unreadable: logged, nothing told

        assertThat(events).containsExactly(new DriveEvent.OutOfSpace(new DriveRef("vm1", "vdb")));
    }

    @Test
    void aLostConnectionMakesVmsUnreachableAndItsReturnTellsThemToReadAgain() {
        translator.connected(false);
        assertThat(events).containsExactly(new DriveEvent.Started("vm1"));

        translator.disconnected("libvirt connection down");
        assertThat(translator.vms()).containsExactly(
                new VmInfo("vm1", "libvirt", VmState.UNREACHABLE, "libvirt connection down"));

        translator.connected(true);
        assertThat(events).containsExactly(new DriveEvent.Started("vm1"),
                new DriveEvent.EventsLost("vm1", "the libvirt connection was re-established"));
        assertThat(translator.vms()).containsExactly(new VmInfo("vm1", "libvirt", VmState.RUNNING, ""));
    }

    @Test
    void aRelistReportsVmsThatWentAwayUnnoticedAsStopped() {
        domains.vm("vm2", "vda", 0);
        translator.connected(false);
        events.clear();
        domains.gone("vm1");

        translator.relist();

        assertThat(events).containsExactly(new DriveEvent.Stopped("vm1"));
        assertThat(translator.vms()).extracting(VmInfo::name).containsExactly("vm2");
    }

    @Test
    void whatTheHookAnnouncesIsToldAndAStopForgetsTheVm() {
        translator.connected(false);
        events.clear();

        translator.announced(new DriveEvent.Started("vm3"));
        translator.announced(new DriveEvent.Stopped("vm1"));

        assertThat(events).containsExactly(new DriveEvent.Started("vm3"), new DriveEvent.Stopped("vm1"));
        assertThat(translator.vms()).isEmpty();
    }
}
