package org.headroom.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Simulated hosts for tests of several agents: each the Headroom distribution unpacked in a Karaf
 * of its own (its own ports, run paths and sanlock daemon, its host id), all sharing one storage
 * directory as hosts share a LUN. Closing stops every Karaf and daemon it started, by PID.
 */
public final class KarafHosts implements AutoCloseable {
    private final Path work;
    private final Path distribution;
    private final List<Path> karafs = new ArrayList<>();
    private final List<SanlockDaemon> daemons = new ArrayList<>();

    /** Hosts under {@code work}, each unpacked from the distribution's tar.gz {@code distribution}. */
    public KarafHosts(Path work, Path distribution) {
        this.work = work;
        this.distribution = distribution;
    }

    /**
     * An unpacked distribution for one host: its own ports, the shared storage, its host id, and
     * the lease service of an SPM candidate over a sanlock daemon of its own (io timeout 1 s).
     */
    public Path karaf(String name, Path storage, int hostId) throws IOException, InterruptedException {
        Path dir = work.resolve(name);
        Files.createDirectories(dir);
        Lab.run("tar", "-xzf", distribution.toString(), "-C", dir.toString(), "--strip-components=1");
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
        // Host-local paths of their own: the hosts share this machine.
        set(etc.resolve("org.headroom.storage.cfg"), "run_dir", dir.resolve("run").toString());
        set(etc.resolve("org.headroom.virt.hook.cfg"), "socket", dir.resolve("hook.sock").toString());
        set(etc.resolve("org.headroom.migrate.cfg"), "run_dir", dir.resolve("migrate").toString());
        karafs.add(dir);
        return dir;
    }

    public static void set(Path cfg, String key, String value) throws IOException {
        List<String> lines = new ArrayList<>(Files.exists(cfg) ? Files.readAllLines(cfg) : List.of());
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
    public static void start(Path karaf) throws IOException, InterruptedException {
        Lab.run(sanlockEnvironment(karaf), List.of(karaf.resolve("bin/start").toString()));
    }

    /** What makes a process a client of the sanlock daemon of {@code karaf}'s host. */
    public static Map<String, String> sanlockEnvironment(Path karaf) {
        return Map.of("SANLOCK_RUN_DIR", karaf.resolve("sanlock").toString());
    }

    /** bin/stop, then SIGKILL by PID should the JVM of this Karaf still run after 20 s. */
    public static void stop(Path karaf) throws IOException, InterruptedException {
        try {
            Lab.run(karaf.resolve("bin/stop").toString());
        } catch (IOException notRunning) {
            // Not started, or already gone.
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Optional<ProcessHandle> jvm;
        while ((jvm = jvm(karaf)).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        jvm.ifPresent(ProcessHandle::destroyForcibly);
    }

    private static Optional<ProcessHandle> jvm(Path karaf) {
        String marker = "-Dkaraf.base=" + karaf;
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .findFirst();
    }

    public static String shell(Path karaf, String command) throws IOException, InterruptedException {
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

    public static String awaitShell(Path karaf, String command, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String out = "";
        while (System.nanoTime() < deadline) {
            out = shell(karaf, command);
            if (out.contains(expected)) {
                return out;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(command + " never showed " + expected + ":\n" + out);
    }

    /** Group {@code n} (1 extensions, 2 pauses, 3 failures) of headroom:volumes' summary line. */
    public static int volumesSummary(String volumes, int n) {
        java.util.regex.Matcher m = Pattern.compile("(\\d+) extensions, (\\d+) pauses, (\\d+) failures").matcher(volumes);
        if (!m.find()) {
            throw new AssertionError("no summary in headroom:volumes:\n" + volumes);
        }
        return Integer.parseInt(m.group(n));
    }

    private static final java.time.format.DateTimeFormatter LOG_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS");

    /** When the Karaf logged lines containing {@code text}. */
    public static List<java.time.LocalDateTime> logTimes(Path karaf, String text) throws IOException {
        List<java.time.LocalDateTime> times = new ArrayList<>();
        for (String line : Files.readAllLines(karaf.resolve("data/log/karaf.log"))) {
            if (line.contains(text) && line.length() > 23) {
                times.add(java.time.LocalDateTime.parse(line.substring(0, 23), LOG_TIME));
            }
        }
        return times;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            for (Path karaf : karafs) {
                stop(karaf);
            }
        } finally {
            for (SanlockDaemon d : daemons) {
                d.close();
            }
        }
    }
}
