package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.headroom.testing.Lab;
import org.headroom.testing.Libvirtd;
import org.headroom.virt.LibvirtStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libvirt adapter against a real libvirtd (started by the test) and a guest-less domain whose
 * one disk is a qcow2 file: writes come from QEMU's own qemu-io through the monitor, so the test
 * decides exactly when a threshold is crossed.
 */
class LibvirtHypervisorIT {
    private static final long MIB = 1 << 20;
    private static final String VM = "hr-adapter-it";
    private static final DriveRef VDA = new DriveRef(VM, "vda");

    @TempDir
    Path dir;

    private Libvirtd libvirtd;
    private LibvirtHypervisor libvirt;
    private boolean defined;
    private final List<DriveEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Lab.requireQemu();
        // The hook forwards to nobody here: with the agent down it lets VMs start (its documented policy).
        libvirtd = Libvirtd.start(dir.resolve("no-agent.sock"));
        Path disk = dir.resolve("vda.qcow2");
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", disk.toString(), "256M");
        Path xml = dir.resolve("domain.xml");
        Files.writeString(xml, "<domain type='qemu'><name>" + VM + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + disk + "'/>"
                + "<target dev='vda' bus='virtio'/></disk><controller type='usb' model='none'/>"
                + "<memballoon model='none'/></devices></domain>");
        libvirtd.virsh("define", xml.toString());
        defined = true;
        libvirtd.virsh("start", VM);
        libvirt = new LibvirtHypervisor();
        libvirt.start(new LibvirtHypervisor.Settings(Libvirtd.URI, Duration.ofMillis(200), 2, 3, Duration.ofSeconds(1)));
        libvirt.subscribe(events::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> libvirt.vms().stream().anyMatch(v -> v.name().equals(VM)));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (libvirt != null) {
                libvirt.close();
            }
            if (defined) {
                libvirtd.virsh("destroy", VM);
                libvirtd.virsh("undefine", "--snapshots-metadata", VM);
            }
        } finally {
            if (libvirtd != null) {
                libvirtd.close();
            }
        }
    }

    private DriveInfo vda() throws Exception {
        return libvirt.drive(VDA).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void write(int offsetMiB, int sizeMiB) throws Exception {
        String out = libvirtd.virsh("qemu-monitor-command", VM, "--hmp", "qemu-io -d /machine/peripheral/virtio-disk0/"
                + "virtio-backend \"write -P 0xab " + offsetMiB + "M " + sizeMiB + "M\"");
        assertThat(out).doesNotContain("rror").doesNotContain("failed");
    }

    private DriveEvent.ThresholdCrossed awaitCrossed(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> crossed().size() >= count);
        return crossed().get(count - 1);
    }

    private List<DriveEvent.ThresholdCrossed> crossed() {
        return events.stream().filter(e -> e instanceof DriveEvent.ThresholdCrossed)
                .map(e -> (DriveEvent.ThresholdCrossed) e).toList();
    }

    @Test
    void aThresholdArmedByIndexFiresOnceForTheDriveAndDisarms() throws Exception {
        DriveInfo before = vda();
        assertThat(before.nodeName()).matches("vda\\[\\d+]");
        assertThat(before.format()).isEqualTo("qcow2");
        assertThat(before.capacity()).isEqualTo(256 * MIB);
        assertThat(libvirt.vms()).contains(new VmInfo(VM, "libvirt", VmState.RUNNING, ""));

        libvirt.setWriteThreshold(VDA, 2 * MIB).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(vda().threshold()).isEqualTo(2 * MIB);
        write(0, 4);

        DriveEvent.ThresholdCrossed event = awaitCrossed(1);
        assertThat(event.drive()).isEqualTo(VDA);
        assertThat(event.threshold()).isEqualTo(2 * MIB);
        assertThat(event.exceeded()).isPositive();
        assertThat(vda().threshold()).as("one-shot").isZero();
        Thread.sleep(500);
        assertThat(crossed()).as("one event for the drive, whatever libvirt sends for its unindexed name").hasSize(1);
    }

    @Test
    void afterASnapshotTheNewTopImageIsArmedByItsNewIndex() throws Exception {
        String indexBefore = vda().nodeName();
        Path overlay = dir.resolve("overlay.qcow2");
        libvirtd.virsh("snapshot-create-as", VM, "--disk-only", "--no-metadata", "--diskspec", "vda,file=" + overlay);

        DriveInfo after = vda();
        assertThat(after.path()).isEqualTo(overlay.toString());
        assertThat(after.nodeName()).matches("vda\\[\\d+]").isNotEqualTo(indexBefore);
        libvirt.setWriteThreshold(VDA, MIB).toCompletableFuture().get(10, TimeUnit.SECONDS);
        write(8, 4);

        DriveEvent.ThresholdCrossed event = awaitCrossed(1);
        assertThat(event.drive()).isEqualTo(VDA);
        assertThat(event.threshold()).isEqualTo(MIB);
    }

    @Test
    void pauseResumeAndTheirEvents() throws Exception {
        libvirt.pause(VM).toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.contains(new DriveEvent.Paused(VM, "paused")));
        assertThat(libvirt.vms()).contains(new VmInfo(VM, "libvirt", VmState.PAUSED, ""));

        libvirt.resume(VM).toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.contains(new DriveEvent.Resumed(VM)));
        assertThat(libvirt.vms()).contains(new VmInfo(VM, "libvirt", VmState.RUNNING, ""));
    }

    @Test
    void callsOnUnknownVmsFailClearly() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> libvirt.drives("no-such-vm").toCompletableFuture()
                        .get(10, TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(org.libvirt.LibvirtException.class)
                .hasMessageContaining("reading drives of no-such-vm");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> libvirt.drive(new DriveRef(VM, "vdz")).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS))
                .hasMessageContaining("has no writable drive vdz");
    }

    @Test
    void whileLibvirtdRestartsVmsAreUnreachableThenReadAgain() throws Exception {
        libvirtd.restart();

        await().atMost(Duration.ofSeconds(30)).until(() -> libvirt.reconnects() >= 1 && libvirt.connected());
        assertThat(libvirt.status().state()).isEqualTo(LibvirtStatus.State.CONNECTED);
        assertThat(libvirt.status().problem()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> libvirt.vms().contains(new VmInfo(VM, "libvirt", VmState.RUNNING, "")));
        assertThat(events).contains(new DriveEvent.EventsLost(VM, "the libvirt connection was re-established"));
        // Still served: armed and fired through the new connection.
        libvirt.setWriteThreshold(VDA, MIB).toCompletableFuture().get(10, TimeUnit.SECONDS);
        write(16, 4);
        assertThat(awaitCrossed(1).drive()).isEqualTo(VDA);
    }

    @Test
    void anErrorThrownOnTheAdaptersThreadLeavesItBrokenNeverConnected() throws Exception {
        libvirt.subscribe(e -> {
            if (e instanceof DriveEvent.Paused) {
                throw new StackOverflowError("a listener's bug");
            }
        });
        libvirt.pause(VM).toCompletableFuture().get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).until(() -> libvirt.status().state() == LibvirtStatus.State.BROKEN);
        assertThat(libvirt.connected()).isFalse();
        assertThat(libvirt.status().problem()).contains("StackOverflowError");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> libvirt.drives(VM).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS))
                .hasMessageContaining("the libvirt adapter is broken");
        await().atMost(Duration.ofSeconds(5)).until(() -> libvirt.vms().stream()
                .allMatch(v -> v.state() == VmState.UNREACHABLE));
        libvirtd.virsh("resume", VM);
        Thread.sleep(500);
        assertThat(libvirt.status().state()).as("no reconnect: broken until restarted").isEqualTo(LibvirtStatus.State.BROKEN);
    }
}
