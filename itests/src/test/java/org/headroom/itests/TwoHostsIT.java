package org.headroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.headroom.testing.GuestData;
import org.headroom.testing.Lab;
import org.headroom.testing.LoopDevice;
import org.headroom.testing.QemuProcess;
import org.headroom.testing.SanlockDaemon;
import org.headroom.testing.TestGuest;
import org.junit.After;
import org.junit.Test;

/**
 * Two agents, each the Headroom distribution in a Karaf of its own with a sanlock daemon of its own,
 * sharing one storage domain directory as two hosts share a LUN. Both are SPM candidates: host 1,
 * started first, takes the SDM lease and serves the SPM side; host 2 sees it hold the role and runs
 * the VM. Every extension of the VM's disk travels host 2's mailbox block to host 1 and back.
 */
public class TwoHostsIT {
    private static final String DOMAIN = "3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10";
    private static final int WRITE_MIB = 512;

    private final List<Path> karafs = new ArrayList<>();
    private final List<SanlockDaemon> daemons = new ArrayList<>();
    private QemuProcess qemu;
    private LoopDevice volume;
    private Path work;

    @After
    public void stop() throws Exception {
        try {
            for (Path karaf : karafs) {
                stopKaraf(karaf);
            }
            for (SanlockDaemon d : daemons) {
                d.close();
            }
        } finally {
            try {
                if (qemu != null) {
                    qemu.close();
                }
            } finally {
                if (volume != null) {
                    volume.close();
                }
                if (work != null) {
                    try (Stream<Path> files = Files.walk(work)) {
                        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    @Test
    public void aVmOnTheNonSpmHostIsExtendedThroughTheMailboxWithoutPausing() throws Exception {
        if (Lab.ci()) {
            Lab.require(Lab.QEMU, Lab.GUEST_KERNEL.toString(), Lab.GUEST_INITRD.toString(), "/dev/loop-control");
        } else if (!Files.exists(Lab.GUEST_KERNEL) || !Files.exists(Path.of(Lab.QEMU))) {
            org.junit.Assume.assumeTrue("run lab/install.sh", false);
        }
        work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "two-hosts-");
        Path storage = work.resolve("storage");
        Path spm = karaf("host1", storage, 1);
        Path host = karaf("host2", storage, 2);
        startKaraf(spm);
        awaitShell(spm, "headroom:domains", DOMAIN);
        awaitShell(spm, "headroom:spm", "this host is the SPM");

        // The VM's volume: one 64 MiB chunk, active on host 2 as a loop device.
        Path file = storage.resolve(DOMAIN).resolve("images").resolve(UUID.randomUUID().toString())
                .resolve(UUID.randomUUID().toString());
        Files.createDirectories(file.getParent());
        volume = LoopDevice.create(file, 64L << 20);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", volume.device(), "2G");
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(volume.device()));
        args.addAll(TestGuest.args("q0", WRITE_MIB, 0, false));
        args.add("-S");
        qemu = QemuProcess.start(work, args);
        Files.writeString(host.resolve("etc/org.headroom.qmp.vm-guest.cfg"),
                "name = guest\nsocket = " + qemu.qmpSocket() + "\n");
        startKaraf(host);
        awaitShell(host, "headroom:spm", "the SPM is host 1");
        awaitShell(host, "headroom:volumes", "armed");
        shell(host, "headroom:qmp guest cont");

        Matcher done = qemu.awaitConsole("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", Duration.ofMinutes(3));
        assertEquals(qemu.console(), "0", done.group(1));
        qemu.awaitExit(Duration.ofSeconds(30));

        String volumes = shell(host, "headroom:volumes");
        Matcher summary = Pattern.compile("(\\d+) extensions, (\\d+) pauses, (\\d+) failures").matcher(volumes);
        assertTrue(volumes, summary.find());
        assertTrue("extensions on host 2:\n" + volumes, Integer.parseInt(summary.group(1)) >= 5);
        assertEquals("pauses on host 2:\n" + volumes, "0", summary.group(2));
        assertEquals("failures on host 2:\n" + volumes, "0", summary.group(3));
        String mailbox = shell(spm, "headroom:mailbox");
        Matcher spmRow = Pattern.compile("(?m)^spm\\s+\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)").matcher(mailbox);
        assertTrue(mailbox, spmRow.find());
        assertTrue("requests the SPM served:\n" + mailbox, Integer.parseInt(spmRow.group(2)) >= 5);

        volume.resize(Files.size(file)); // the "refresh" of this test's own view before reading
        Lab.run(Lab.QEMU_IMG, "check", "-q", "-f", "qcow2", volume.device());
        GuestData.assertWritten(Path.of(volume.device()), WRITE_MIB, GuestData.patternMd5(qemu));
    }

    /**
     * An unpacked distribution for one host: its own ports, the shared storage, its host id, and
     * the lease service of an SPM candidate over a sanlock daemon of its own (io timeout 1 s).
     */
    private Path karaf(String name, Path storage, int hostId) throws IOException, InterruptedException {
        Path dir = work.resolve(name);
        Files.createDirectories(dir);
        Lab.run("tar", "-xzf", System.getProperty("headroom.itest.distribution"), "-C", dir.toString(), "--strip-components=1");
        Path etc = dir.resolve("etc");
        set(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort", Integer.toString(freePort()));
        set(etc.resolve("org.apache.karaf.management.cfg"), "rmiRegistryPort", Integer.toString(freePort()));
        set(etc.resolve("org.apache.karaf.management.cfg"), "rmiServerPort", Integer.toString(freePort()));
        set(etc.resolve("org.headroom.storage.cfg"), "root", storage.toString());
        set(etc.resolve("org.headroom.mailbox.cfg"), "host_id", Integer.toString(hostId));
        set(etc.resolve("org.headroom.mailbox.cfg"), "spm", "false");
        Path lease = etc.resolve("org.headroom.lease.cfg");
        Files.writeString(lease, "host_id = " + hostId + "\nio_timeout_s = 1\nspm_candidate = true\nspm_interval_ms = 500\n"
                + "run_dir = " + dir.resolve("lease") + "\n");
        daemons.add(SanlockDaemon.start(dir.resolve("sanlock"), "hr-" + name));
        set(etc.resolve("org.headroom.thinextend.cfg"), "chunk_mb", "64");
        // Host-local paths of their own: the two hosts share this machine.
        set(etc.resolve("org.headroom.storage.cfg"), "run_dir", dir.resolve("run").toString());
        set(etc.resolve("org.headroom.virt.hook.cfg"), "socket", dir.resolve("hook.sock").toString());
        karafs.add(dir);
        return dir;
    }

    private static void set(Path cfg, String key, String value) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(cfg));
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*" + Pattern.quote(key) + "\\s*=.*")) {
                lines.set(i, key + " = " + value);
                found = true;
            }
        }
        if (!found) {
            lines.add(key + " = " + value);
        }
        Files.write(cfg, lines);
    }

    /** bin/start, its Karaf a client of the host's own sanlock daemon. */
    private static void startKaraf(Path karaf) throws IOException, InterruptedException {
        Lab.run(java.util.Map.of("SANLOCK_RUN_DIR", karaf.resolve("sanlock").toString()),
                List.of(karaf.resolve("bin/start").toString()));
    }

    /** bin/stop, then SIGKILL by PID should the JVM of this Karaf still run after 20 s. */
    private static void stopKaraf(Path karaf) throws IOException, InterruptedException {
        try {
            Lab.run(karaf.resolve("bin/stop").toString());
        } catch (IOException notRunning) {
            // Not started, or already gone.
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Optional<ProcessHandle> jvm;
        while ((jvm = karafJvm(karaf)).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        jvm.ifPresent(ProcessHandle::destroyForcibly);
    }

    private static Optional<ProcessHandle> karafJvm(Path karaf) {
        String marker = "-Dkaraf.base=" + karaf;
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .findFirst();
    }

    private static String shell(Path karaf, String command) throws IOException, InterruptedException {
        String port = Files.readAllLines(karaf.resolve("etc/org.apache.karaf.shell.cfg")).stream()
                .filter(l -> l.startsWith("sshPort")).findFirst().orElseThrow().split("=")[1].trim();
        Process p = new ProcessBuilder(karaf.resolve("bin/client").toString(), "-a", port, "-u", "karaf", "-p", "karaf", "-b")
                .redirectErrorStream(true).start();
        p.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static void awaitShell(Path karaf, String command, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String out = "";
        while (System.nanoTime() < deadline) {
            out = shell(karaf, command);
            if (out.contains(expected)) {
                return;
            }
            Thread.sleep(500);
        }
        fail(command + " never showed " + expected + ":\n" + out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
