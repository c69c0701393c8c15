package org.headroom.thinextend.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.storage.VolumeRef;
import org.headroom.testing.GuestData;
import org.headroom.testing.Lab;
import org.headroom.testing.LibvirtGuest;
import org.headroom.testing.Libvirtd;
import org.headroom.thinextend.internal.ChunkPolicy;
import org.headroom.thinextend.internal.ExtensionPolicy;
import org.headroom.virt.internal.HookHandler;
import org.headroom.virt.internal.HookServer;
import org.headroom.virt.internal.HookStats;
import org.headroom.virt.internal.LibvirtHypervisor;
import org.junit.jupiter.api.Test;

/**
 * The loop end to end through libvirt: a real libvirtd (started by the test with Headroom's qemu
 * hook installed), the test guest defined and started with virsh on a thin qcow2 whose volume is
 * named by its run path. The hook prepares the volume and tells the agent the VM started; the
 * threshold is armed and its event received through libvirt; the volume is grown by the
 * in-process SPM and the VM resumed through libvirt after ENOSPC.
 */
class LibvirtThinExtendIT extends EndToEnd {
    private static final long MIB = 1 << 20;
    private static final Duration GUEST = Duration.ofMinutes(4);

    final HookStats hooks = new HookStats();
    Libvirtd libvirtd;
    LibvirtHypervisor libvirt;
    Agent agent;



    /** The agent, its hook receiver, libvirtd with the hook, and the libvirt adapter, in that order. */
    private void startAgent(ExtensionPolicy policy) throws Exception {
        createAgent(policy);
        startHookReceiver();
        startLibvirtd();
        startLibvirtAdapter();
    }

    private void createAgent(ExtensionPolicy policy) {
        agent = new Agent(domain, inProcessSpm(domain), policy, dir.resolve("run"));
        cleanup.add(agent);
        libvirt = new LibvirtHypervisor();
    }

    private Path hookSocket() {
        return dir.resolve("hook/hook.sock");
    }

    private void startHookReceiver() throws Exception {
        cleanup.add(new HookServer(hookSocket(), new HookHandler(agent.storage, libvirt::announce, hooks, () -> null), 16 << 20, 5000, 2));
    }

    private void startLibvirtd() throws Exception {
        libvirtd = Libvirtd.start(hookSocket());
        cleanup.add(libvirtd);
    }

    private void startLibvirtAdapter() {
        libvirt.start(new LibvirtHypervisor.Settings(Libvirtd.URI, Duration.ofMillis(200), 2, 3, Duration.ofSeconds(2)));
        cleanup.add(libvirt::close);
        await().atMost(Duration.ofSeconds(10)).until(libvirt::connected);
        cleanup.add(libvirt.subscribe(events::add));
        agent.monitor.addHypervisor(libvirt);
    }

    /** A volume of {@code initial} bytes holding a qcow2 of {@code capacity}, inactive (the hook activates it). */
    private VolumeRef thinVolume(long initial, String capacity) throws Exception {
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, initial);
        Path device = domain.volumes().activate(v);
        try {
            Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", device.toString(), capacity);
        } finally {
            domain.volumes().deactivate(v);
        }
        cleanup.add(() -> domain.volumes().deactivate(v)); // if the hook's release never came
        return v;
    }

    private LibvirtGuest startGuest(String name, VolumeRef v, int sizeMiB, int rateMiBs) throws Exception {
        LibvirtGuest guest = LibvirtGuest.start(libvirtd, dir, name, agent.storage.runPath(v), sizeMiB, rateMiBs);
        cleanup.add(guest);
        return guest;
    }

    private long pauses() {
        return events.stream().filter(e -> e instanceof DriveEvent.Paused).count();
    }

    /** The guest wrote everything and powered off; the hook released the volume; the image holds the data. */
    private void assertDoneReleasedAndIntact(LibvirtGuest guest, VolumeRef v, int sizeMiB) throws Exception {
        Matcher done = guest.console().await("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", GUEST);
        assertThat(done.group(1)).as(guest.console().text()).isEqualTo("0");
        assertThat(done.group(2)).isEqualTo(Integer.toString(sizeMiB));
        await().atMost(Duration.ofSeconds(30)).until(() -> guest.state().equals("shut off"));
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.perOperation().containsKey("release"));
        assertThat(Files.exists(agent.storage.runPath(v), LinkOption.NOFOLLOW_LINKS)).as("run path released").isFalse();
        Path device = domain.volumes().activate(v);
        Lab.run(Lab.QEMU_IMG, "check", "-q", "-f", "qcow2", device.toString());
        GuestData.assertWritten(device, sizeMiB, guest.console().patternMd5());
    }

    @Test
    void aVmStartedWithVirshIsWatchedThroughTheHookAndItsDiskExtendedWithoutPauses() throws Exception {
        ChunkPolicy policy = ChunkPolicy.VDSM_DEFAULT;
        startAgent(policy);
        VolumeRef v = thinVolume(policy.chunk(), "20G");
        int size = 3072;
        LibvirtGuest guest = startGuest("hr-libvirt-1", v, size, 0);

        // Armed through libvirt, on the top image by index, before the guest has written a chunk.
        DriveRef vda = new DriveRef("hr-libvirt-1", "vda");
        await().atMost(Duration.ofSeconds(30)).until(() -> armed(vda) > 0);
        DriveInfo drive = libvirt.drive(vda).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(drive.nodeName()).matches("vda\\[\\d+]");
        assertThat(drive.path()).isEqualTo(agent.storage.runPath(v).toString());

        assertDoneReleasedAndIntact(guest, v, size);
        assertThat(hooks.perOperation()).containsKeys("prepare", "start", "started", "stopped", "release");
        assertThat(hooks.errors()).isZero();
        assertThat(pauses()).as("pauses, events: %s", events).isZero();
        assertThat(agent.monitor.status().pauses()).isZero();
        // 3 GiB into one 2.5 GiB chunk: one extension (to 5 GiB) is needed; a second comes only when
        // the guest passes 4.5 GiB, or when a late reading of the first re-triggers it (it may).
        assertThat(agent.monitor.status().extensions()).isGreaterThanOrEqualTo(1);
        assertThat(events).filteredOn(e -> e instanceof DriveEvent.ThresholdCrossed).isNotEmpty();
        assertThat(domain.volumes().size(v)).isGreaterThanOrEqualTo((long) size * MIB);
        await("no longer watched once stopped").atMost(Duration.ofSeconds(5)).until(() -> agent.monitor.status().watched() == 0);
        System.out.printf("libvirt: %d extensions, p50 %.1f ms, p99 %.1f ms, volume %d MiB, hook calls %s%n",
                agent.monitor.status().extensions(), agent.monitor.status().latencyP50Millis(),
                agent.monitor.status().latencyP99Millis(), domain.volumes().size(v) / MIB, hooks.perOperation());
    }

    @Test
    void withATinyChunkTheVmPausesOnEnospcAndIsResumedThroughLibvirt() throws Exception {
        startAgent(new ChunkPolicy(2 * MIB, 50));
        VolumeRef v = thinVolume(4 * MIB, "1G");
        int size = 96;
        LibvirtGuest guest = startGuest("hr-libvirt-2", v, size, 0);

        assertDoneReleasedAndIntact(guest, v, size);
        assertThat(events).filteredOn(e -> e instanceof DriveEvent.OutOfSpace).as("the guest outran the tiny chunk")
                .isNotEmpty();
        assertThat(events).filteredOn(e -> e instanceof DriveEvent.Paused p && p.reason().equals("io-error")).isNotEmpty();
        assertThat(agent.monitor.status().pauses()).isPositive();
        DriveEvent lastRunState = events.stream().filter(e -> e instanceof DriveEvent.Paused || e instanceof DriveEvent.Resumed)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(lastRunState).as("every pause was followed by a resume").isInstanceOf(DriveEvent.Resumed.class);
        assertThat(agent.monitor.status().failures()).isZero();
        System.out.printf("libvirt tiny chunk: %d pauses, %d extensions%n", agent.monitor.status().pauses(),
                agent.monitor.status().extensions());
    }

    @Test
    void whenLibvirtdRestartsTheAgentReconnectsAndKeepsExtending() throws Exception {
        // 1 GiB chunks: the guest's 3 GiB take three extensions, so that some come after the
        // restart whenever it ends (with VDSM's 2.5 GiB chunks one extension was all it took).
        ChunkPolicy policy = new ChunkPolicy(1024 * MIB, 20);
        startAgent(policy);
        VolumeRef v = thinVolume(policy.chunk(), "20G");
        int size = 3072;
        LibvirtGuest guest = startGuest("hr-libvirt-3", v, size, 60);
        DriveRef vda = new DriveRef("hr-libvirt-3", "vda");
        await().atMost(GUEST).until(() -> agent.monitor.status().extensions() >= 1);

        libvirtd.restart();
        long extensionsBefore = agent.monitor.status().extensions();
        await().atMost(Duration.ofSeconds(30)).until(() -> libvirt.reconnects() >= 1 && libvirt.connected());
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.perOperation().containsKey("reconnect"));
        await().atMost(Duration.ofSeconds(30)).until(() -> armed(vda) > 0);

        assertDoneReleasedAndIntact(guest, v, size);
        assertThat(agent.monitor.status().extensions()).as("extended after the restart").isGreaterThan(extensionsBefore);
        assertThat(pauses()).as("pauses, events: %s", events).isZero();
        assertThat(events).contains(new DriveEvent.EventsLost("hr-libvirt-3", "the libvirt connection was re-established"));
    }

    @Test
    void anAgentThatWasDownWhenTheVmStartedCatchesUpOnIt() throws Exception {
        ChunkPolicy policy = new ChunkPolicy(1024 * MIB, 20);
        createAgent(policy);
        startLibvirtd(); // the hook is installed, but nothing listens on its socket
        VolumeRef v = thinVolume(policy.chunk(), "20G");
        agent.storage.prepare(v); // active from before the agent went down
        int size = 2048;
        LibvirtGuest guest = startGuest("hr-libvirt-4", v, size, 100);
        assertThat(guest.state()).as("the hook's agent-down policy: the VM starts").isEqualTo("running");

        startHookReceiver();
        startLibvirtAdapter();

        assertDoneReleasedAndIntact(guest, v, size);
        assertThat(hooks.perOperation()).as("the agent heard only the end").doesNotContainKey("prepare")
                .containsKeys("stopped", "release");
        assertThat(agent.monitor.status().extensions()).isGreaterThanOrEqualTo(1);
        assertThat(pauses()).as("pauses, events: %s", events).isZero();
    }

    /** The threshold armed on the drive as the adapter reads it now; 0 when none. */
    private long armed(DriveRef drive) {
        try {
            return libvirt.drive(drive).toCompletableFuture().get(5, TimeUnit.SECONDS).threshold();
        } catch (Exception notYet) {
            return 0;
        }
    }
}
