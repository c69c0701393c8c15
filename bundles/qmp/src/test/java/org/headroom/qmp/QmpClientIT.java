package org.headroom.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.headroom.qmp.events.BlockJobCompleted;
import org.headroom.qmp.events.BlockJobReady;
import org.headroom.qmp.events.BlockWriteThreshold;
import org.headroom.qmp.events.JobStatusChange;
import org.headroom.qmp.events.Resume;
import org.headroom.qmp.events.Shutdown;
import org.headroom.qmp.events.Stop;
import org.headroom.qmp.types.BlockDeviceInfo;
import org.headroom.qmp.types.BlockdevMirror;
import org.headroom.qmp.types.JobInfo;
import org.headroom.testing.Lab;
import org.headroom.testing.QemuProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against real QEMU 7.2, started (and ended, by PID) by each test. */
class QmpClientIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    QemuProcess qemu;
    QmpClient client;
    Qmp qmp;

    @BeforeEach
    void requireQemu() {
        Lab.requireQemu();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) {
            client.close();
        }
        if (qemu != null) {
            qemu.close();
        }
    }

    /** QEMU, paused before the guest starts, with a qcow2 image as drive vd0 (nodes f0 over q0). */
    private void startQemu(Path image) throws Exception {
        qemu = QemuProcess.start(dir, List.of("-S", "-m", "64",
                "-blockdev", "driver=file,filename=" + image + ",node-name=f0",
                "-blockdev", "driver=qcow2,file=f0,node-name=q0",
                "-device", "virtio-blk-pci,drive=q0,id=vd0"));
        client = QmpClient.builder(qemu.qmpSocket()).name("it").commandTimeout(Duration.ofSeconds(30)).build();
        client.connect();
        qmp = new Qmp(client);
    }

    private Path qcow2(String name, String size) throws Exception {
        Path image = dir.resolve(name);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", image.toString(), size);
        return image;
    }

    private static BlockDeviceInfo node(List<BlockDeviceInfo> nodes, String name) {
        return nodes.stream().filter(n -> name.equals(n.nodeName())).findFirst().orElseThrow();
    }

    @Test
    void writesWithoutAGuestFireTheThresholdEventOnce() throws Exception {
        startQemu(qcow2("disk.qcow2", "64M"));
        assertThat(qmp.queryStatus().get().status()).isEqualTo("prelaunch");
        List<BlockWriteThreshold> events = new CopyOnWriteArrayList<>();
        client.on(BlockWriteThreshold.class, events::add);

        qmp.blockSetWriteThreshold("f0", 1 << 20).get();
        assertThat(node(qmp.queryNamedBlockNodes(true).get(), "f0").writeThreshold()).isEqualTo(1 << 20);
        qmp.humanMonitorCommand("qemu-io -d /machine/peripheral/vd0/virtio-backend \"write -P 0xab 0 4M\"").get();

        await().atMost(WAIT).until(() -> events.size() == 1);
        BlockWriteThreshold e = events.get(0);
        assertThat(e.nodeName()).isEqualTo("f0");
        assertThat(e.writeThreshold()).isEqualTo(1 << 20);
        assertThat(e.amountExceeded()).isPositive();
        // One-shot: the threshold disarmed itself, and more writes fire nothing.
        assertThat(node(qmp.queryNamedBlockNodes(true).get(), "f0").writeThreshold()).isZero();
        qmp.humanMonitorCommand("qemu-io -d /machine/peripheral/vd0/virtio-backend \"write -P 0xab 8M 4M\"").get();
        qmp.queryStatus().get();
        assertThat(events).hasSize(1);
    }

    @Test
    void contAndStopRunAndPauseTheVmWithTheirEventsAndQuitShutsItDown() throws Exception {
        startQemu(qcow2("disk.qcow2", "64M"));
        List<String> seen = new CopyOnWriteArrayList<>();
        client.on(Resume.class, e -> seen.add("resume"));
        client.on(Stop.class, e -> seen.add("stop"));
        List<Shutdown> shutdowns = new CopyOnWriteArrayList<>();
        client.on(Shutdown.class, shutdowns::add);

        qmp.cont().get();
        await().atMost(WAIT).until(() -> seen.contains("resume"));
        assertThat(qmp.queryStatus().get().status()).isEqualTo("running");
        qmp.stop().get();
        await().atMost(WAIT).until(() -> seen.contains("stop"));
        assertThat(qmp.queryStatus().get().running()).isFalse();
        assertThat(seen).containsExactly("resume", "stop");

        client.execute("quit").get();
        await().atMost(WAIT).until(() -> shutdowns.size() == 1);
        assertThat(shutdowns.get(0)).isEqualTo(new Shutdown(false, "host-qmp-quit"));
        qemu.awaitExit(WAIT);
        await().atMost(WAIT).until(() -> client.state() == QmpClient.State.DISCONNECTED);
    }

    @Test
    void aMirrorGoesThroughReadyToCompletedAndCopiesTheData() throws Exception {
        Path source = qcow2("source.qcow2", "64M");
        Lab.run(Lab.QEMU_IMG.replace("qemu-img", "qemu-io"), "-f", "qcow2", "-c", "write -P 0x5a 0 8M",
                "-c", "write -P 0xa5 32M 4M", source.toString());
        Path target = qcow2("target.qcow2", "64M");
        startQemu(source);
        List<String> statuses = new CopyOnWriteArrayList<>();
        client.on(JobStatusChange.class, e -> statuses.add(e.status()));
        List<BlockJobReady> ready = new CopyOnWriteArrayList<>();
        client.on(BlockJobReady.class, ready::add);
        List<BlockJobCompleted> completed = new CopyOnWriteArrayList<>();
        client.on(BlockJobCompleted.class, completed::add);

        qmp.blockdevAdd(Map.of("driver", "qcow2", "node-name", "t0",
                "file", Map.of("driver", "file", "filename", target.toString()))).get();
        qmp.blockdevMirror(new BlockdevMirror("m0", "q0", "t0", "full", null, null, false, null)).get();

        await().atMost(WAIT).until(() -> ready.size() == 1);
        assertThat(ready.get(0).device()).isEqualTo("m0");
        List<JobInfo> jobs = qmp.queryJobs().get();
        assertThat(jobs).extracting(JobInfo::id, JobInfo::type, JobInfo::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("m0", "mirror", "ready"));

        qmp.jobComplete("m0").get();
        await().atMost(WAIT).until(() -> completed.size() == 1);
        assertThat(completed.get(0).device()).isEqualTo("m0");
        assertThat(completed.get(0).error()).isNull();
        await().atMost(WAIT).until(() -> statuses.contains("concluded"));
        qmp.jobDismiss("m0").get();
        await().atMost(WAIT).until(() -> statuses.contains("null"));
        assertThat(statuses).containsSubsequence("created", "running", "ready", "waiting", "pending", "concluded", "null");
        assertThat(qmp.queryJobs().get()).isEmpty();

        client.execute("quit").get();
        qemu.awaitExit(WAIT);
        assertThat(Lab.run(Lab.QEMU_IMG, "compare", "-f", "qcow2", "-F", "qcow2", source.toString(), target.toString()))
                .contains("Images are identical");
    }

    @Test
    void killingQemuFailsEveryPendingCallWithinASecond() throws Exception {
        startQemu(qcow2("disk.qcow2", "64M"));
        qemu.freeze();
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(client.execute("query-status"));
        }
        assertThat(client.stats().inFlight()).isEqualTo(8);
        assertThat(client.stats().queued()).isEqualTo(12);

        long killed = System.nanoTime();
        qemu.kill();
        for (CompletableFuture<JsonNode> call : calls) {
            try {
                call.get(1, TimeUnit.SECONDS);
                throw new AssertionError("a call to a killed QEMU succeeded");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(QmpConnectionException.class).hasMessageContaining("lost");
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(1));
        assertThat(client.state()).isEqualTo(QmpClient.State.DISCONNECTED);
    }
}
