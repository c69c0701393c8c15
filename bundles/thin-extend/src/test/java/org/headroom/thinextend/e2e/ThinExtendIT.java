package org.headroom.thinextend.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.internal.HostMailbox;
import org.headroom.mailbox.internal.MailboxPolicy;
import org.headroom.mailbox.internal.SpmMailbox;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.testing.GuestData;
import org.headroom.testing.Lab;
import org.headroom.testing.QemuProcess;
import org.headroom.testing.RefusingDomain;
import org.headroom.testing.TestGuest;
import org.headroom.thinextend.internal.ChunkPolicy;
import org.headroom.thinextend.VolumeStatus;
import org.junit.jupiter.api.Test;

/**
 * The loop end to end with real QEMU and the real test guest writing into a thin qcow2 on a
 * loop-device volume of a storage domain: threshold event, extension by the SPM, refresh,
 * re-arm, resume; the data verified in the image afterwards.
 */
class ThinExtendIT extends EndToEnd {
    private static final long MIB = 1 << 20;
    private static final Duration GUEST = Duration.ofMinutes(3);





    /** A volume of {@code initial} bytes, active on this host as a loop device, with a qcow2 of {@code capacity}. */
    private VolumeRef thinVolume(long initial, String capacity) throws Exception {
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, initial);
        Path device = domain.volumes().activate(v);
        cleanup.add(() -> domain.volumes().deactivate(v));
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", device.toString(), capacity);
        return v;
    }

    /** Boots the guest paused on the volume, lets the agent attach and arm, then runs it. */
    private QemuProcess bootGuest(Agent agent, VolumeRef v, int sizeMiB) throws Exception {
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(domain.volumes().activate(v).toString()));
        args.addAll(TestGuest.args("q0", sizeMiB, 0, false));
        args.add("-S");
        QemuProcess qemu = QemuProcess.start(dir, args);
        cleanup.add(qemu);
        agent.attach("guest", qemu.qmpSocket());
        cleanup.add(agent.listen(events::add));
        await().atMost(Duration.ofSeconds(30)).until(() -> watched(agent).stream()
                .anyMatch(s -> s.state().equals("armed") || s.state().equals("extending")));
        agent.hypervisor.resume("guest").toCompletableFuture().get(10, TimeUnit.SECONDS);
        return qemu;
    }

    private static List<VolumeStatus> watched(Agent agent) throws Exception {
        return agent.monitor.volumes().get(10, TimeUnit.SECONDS);
    }

    private long pauses() {
        return events.stream().filter(e -> e instanceof DriveEvent.Paused).count();
    }

    private void assertGuestDoneAndDataIntact(QemuProcess qemu, VolumeRef v, int sizeMiB) throws Exception {
        Matcher done = qemu.awaitConsole("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", GUEST);
        assertThat(done.group(1)).as(qemu.console()).isEqualTo("0");
        assertThat(done.group(2)).isEqualTo(Integer.toString(sizeMiB));
        qemu.awaitExit(Duration.ofSeconds(30));
        Path device = domain.volumes().activate(v);
        domain.volumes().refresh(v);
        Lab.run(Lab.QEMU_IMG, "check", "-q", "-f", "qcow2", device.toString());
        GuestData.assertWritten(device, sizeMiB, GuestData.patternMd5(qemu));
    }

    @Test
    void aGuestWritingSeveralGibIntoADiskThatStartsAtOneChunkNeverPauses() throws Exception {
        ChunkPolicy policy = ChunkPolicy.VDSM_DEFAULT;
        VolumeRef v = thinVolume(policy.chunk(), "20G");
        Agent agent = new Agent(domain, inProcessSpm(domain), policy);
        cleanup.add(agent);
        int size = 6144;
        QemuProcess qemu = bootGuest(agent, v, size);

        assertGuestDoneAndDataIntact(qemu, v, size);
        List<VolumeStatus> status = watched(agent);
        assertThat(pauses()).as("pauses, events: %s", events).isZero();
        assertThat(agent.monitor.status().pauses()).isZero();
        assertThat(agent.monitor.status().extensions()).isGreaterThanOrEqualTo(3);
        assertThat(domain.volumes().size(v)).isGreaterThanOrEqualTo((long) size * MIB);
        System.out.printf("several GiB: %d extensions, p50 %.1f ms, p99 %.1f ms, volume %d MiB%n",
                agent.monitor.status().extensions(), agent.monitor.status().latencyP50Millis(),
                agent.monitor.status().latencyP99Millis(), domain.volumes().size(v) / MIB);
        assertThat(status).hasSize(1);
    }

    @Test
    void aGuestFasterThanATinyChunkPausesOnEnospcAndIsResumedEachTime() throws Exception {
        VolumeRef v = thinVolume(4 * MIB, "1G");
        Agent agent = new Agent(domain, inProcessSpm(domain), new ChunkPolicy(2 * MIB, 50));
        cleanup.add(agent);
        int size = 96;
        QemuProcess qemu = bootGuest(agent, v, size);

        assertGuestDoneAndDataIntact(qemu, v, size);
        long ioErrorPauses = events.stream().filter(e -> e instanceof DriveEvent.OutOfSpace).count();
        assertThat(ioErrorPauses).as("the guest outran the tiny chunk").isPositive();
        assertThat(agent.monitor.status().pauses()).isPositive();
        // Every pause was followed by a resume: the last event of the VM's run state is a resume.
        DriveEvent lastRunState = events.stream().filter(e -> e instanceof DriveEvent.Paused || e instanceof DriveEvent.Resumed)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(lastRunState).isInstanceOf(DriveEvent.Resumed.class);
        assertThat(agent.monitor.status().failures()).isZero();
        System.out.printf("tiny chunk: %d pauses, %d extensions%n", agent.monitor.status().pauses(),
                agent.monitor.status().extensions());
    }

    @Test
    void anSpmThatFailsTheExtensionLeavesTheVmPausedAndTheFailureReported() throws Exception {
        VolumeRef v = thinVolume(64 * MIB, "1G");
        // The SPM side of the mailbox over a backend that cannot grow anything (a full VG, say).
        StorageDomain refusing = new RefusingDomain(domain,
                () -> new StorageException("volume group " + domain.uuid() + " has no free extents"));
        ThreadScheduler spmSide = ThreadScheduler.create("spm-mailbox", 2, 20_000);
        cleanup.add(spmSide);
        SpmMailbox spm = new SpmMailbox(refusing, MailboxPolicy.HEADROOM, 250, spmSide, spmSide, spmSide);
        spm.start();
        cleanup.add(spm);
        ThreadScheduler hostThread = ThreadScheduler.create("mailbox-host-2", 1, 1_000);
        cleanup.add(hostThread);
        HostMailbox host = new HostMailbox(2, domain.uuid(), domain.inbox(), domain.outbox(), MailboxPolicy.HEADROOM, 63,
                hostThread);
        host.start();
        cleanup.add(host);
        Agent agent = new Agent(domain, host, new ChunkPolicy(64 * MIB, 20));
        cleanup.add(agent);
        QemuProcess qemu = bootGuest(agent, v, 256);

        await().atMost(GUEST).until(() -> watched(agent).get(0).state().equals("failed"));
        await().atMost(GUEST).until(() -> events.contains(new DriveEvent.OutOfSpace(new DriveRef("guest", "vd0"))));
        int failedAt = events.indexOf(new DriveEvent.OutOfSpace(new DriveRef("guest", "vd0")));
        assertThat(watched(agent).get(0).problem()).contains("size 0");
        assertThat(agent.monitor.status().failures()).isPositive();
        assertThat(spm.stats().failures()).isPositive();
        Thread.sleep(3000);
        assertThat(agent.hypervisor.vms().get(0).state()).as("left paused").isEqualTo(org.headroom.api.hypervisor.VmState.PAUSED);
        assertThat(events.subList(failedAt, events.size())).as("never resumed into more errors")
                .doesNotContain(new DriveEvent.Resumed("guest"));
        assertThat(qemu.console()).doesNotContain("hr: DONE");
    }
}
