package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.VmState;
import org.headroom.testing.Lab;
import org.headroom.testing.LoopDevice;
import org.headroom.testing.QemuProcess;
import org.headroom.testing.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QEMU hypervisor adapter against real QEMU running the real test guest: a thin qcow2 on a
 * 16 MiB loop device fills up, the guest pauses on ENOSPC, the "LV" grows, the VM resumes and the
 * guest finishes with its data intact.
 */
class QemuHypervisorIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    static QemuVmConfig config(String name, Path socket) {
        return new QemuVmConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return QemuVmConfig.class;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String socket() {
                return socket.toString();
            }

            @Override
            public long command__timeout__ms() {
                return 10_000;
            }

            @Override
            public long reconnect__max__delay__ms() {
                return 500;
            }
        };
    }

    @Test
    void aGuestFillingItsThinDiskPausesOnEnospcAndResumesWhenTheVolumeGrows() throws Exception {
        Lab.requireGuest();
        LoopDevice lv = LoopDevice.create(dir.resolve("lv.img"), 16 * MIB);
        cleanup.add(lv);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", lv.device(), "128M");
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(lv.device()));
        args.addAll(TestGuest.args("q0", 48, 0, true));
        args.add("-S");
        QemuProcess qemu = QemuProcess.start(dir, args);
        cleanup.add(qemu);

        SharedQmpThreads threads = new SharedQmpThreads();
        cleanup.add(threads);
        QemuVmConnection vm = new QemuVmConnection();
        vm.threads = threads;
        vm.activate(config("guest", qemu.qmpSocket()));
        cleanup.add(vm);
        QemuHypervisor hypervisor = new QemuHypervisor();
        hypervisor.bindVm(vm);
        List<DriveEvent> events = new CopyOnWriteArrayList<>();
        hypervisor.subscribe(events::add);
        await().atMost(WAIT).until(() -> hypervisor.vms().get(0).state() == VmState.PAUSED);

        DriveRef vd0 = new DriveRef("guest", "vd0");
        DriveInfo before = hypervisor.drive(vd0).toCompletableFuture().get();
        assertThat(before.nodeName()).isEqualTo("f0");
        assertThat(before.physical()).isEqualTo(16 * MIB);
        assertThat(before.capacity()).isEqualTo(128 * MIB);
        hypervisor.setWriteThreshold(vd0, 4 * MIB).toCompletableFuture().get();
        assertThat(hypervisor.drive(vd0).toCompletableFuture().get().threshold()).isEqualTo(4 * MIB);
        hypervisor.resume("guest").toCompletableFuture().get();

        await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e instanceof DriveEvent.ThresholdCrossed));
        DriveEvent.ThresholdCrossed crossed = (DriveEvent.ThresholdCrossed) events.stream()
                .filter(e -> e instanceof DriveEvent.ThresholdCrossed).findFirst().orElseThrow();
        assertThat(crossed.drive()).isEqualTo(vd0);
        assertThat(crossed.threshold()).isEqualTo(4 * MIB);

        await().atMost(WAIT).until(() -> events.contains(new DriveEvent.OutOfSpace(vd0)));
        await().atMost(WAIT).until(() -> hypervisor.vms().get(0).state() == VmState.PAUSED
                && "io-error".equals(hypervisor.vms().get(0).reason()));
        assertThat(hypervisor.drive(vd0).toCompletableFuture().get().ioStatus()).isEqualTo("nospace");
        assertThat(qemu.console()).doesNotContain("hr: DONE");

        lv.resize(64 * MIB);
        hypervisor.resume("guest").toCompletableFuture().get();
        await().atMost(WAIT).until(() -> events.contains(new DriveEvent.Resumed("guest")));

        qemu.awaitConsole("hr: verify ok", WAIT);
        Matcher done = qemu.awaitConsole("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", WAIT);
        assertThat(done.group(1)).isEqualTo("0");
        assertThat(done.group(2)).isEqualTo("48");
        qemu.awaitExit(WAIT);

        Lab.run(Lab.QEMU_IMG, "check", "-q", "-f", "qcow2", lv.device());
        String pattern = qemu.awaitConsole("hr: pattern md5=([0-9a-f]{32})", WAIT).group(1);
        assertEveryChunkIs(lv.device(), 48, pattern);
    }

    /** Reads the disk back on the host: every 4 MiB chunk of the written range holds the guest's pattern. */
    private void assertEveryChunkIs(String device, int sizeMiB, String patternMd5) throws Exception {
        Path raw = dir.resolve("disk.raw");
        Lab.run(Lab.QEMU_IMG, "convert", "-f", "qcow2", "-O", "raw", device, raw.toString());
        byte[] chunk = new byte[TestGuest.PATTERN_CHUNK_MIB << 20];
        try (InputStream in = Files.newInputStream(raw)) {
            for (int offset = 0; offset < sizeMiB; offset += TestGuest.PATTERN_CHUNK_MIB) {
                assertThat(in.readNBytes(chunk, 0, chunk.length)).isEqualTo(chunk.length);
                String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(chunk));
                assertThat(md5).as("chunk at %d MiB", offset).isEqualTo(patternMd5);
            }
        }
    }
}
