package org.headroom.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A sanlock daemon for a test, as one simulated host: started by {@code lab/sanlock.sh} in a run
 * dir of its own, unprivileged, without a watchdog. A client reaches it with
 * {@link #clientEnvironment()} (SANLOCK_RUN_DIR, which libsanlock reads once per process: one
 * process per simulated host). {@link #close()} ends it by PID (SIGKILL: a daemon in a lockspace
 * ignores SIGTERM) and removes its run dir; a shutdown hook does the same should a test forget,
 * and the next start in the same run dir ends a daemon a killed test run left behind.
 */
public final class SanlockDaemon implements AutoCloseable {
    public static final String SANLOCK = "/usr/sbin/sanlock";

    private final Path runDir;
    private final String hostName;
    private final long pid;
    private final Thread cleanup;

    private SanlockDaemon(Path runDir, String hostName, long pid) {
        this.runDir = runDir;
        this.hostName = hostName;
        this.pid = pid;
        this.cleanup = new Thread(this::kill, "kill-sanlock-" + pid);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Starts a daemon serving {@code runDir} under {@code hostName}; its log is {@code <runDir>.log}. */
    public static SanlockDaemon start(Path runDir, String hostName) throws IOException, InterruptedException {
        Lab.require(SANLOCK);
        Path dir = runDir.toAbsolutePath();
        Files.createDirectories(dir.getParent());
        String out = Lab.run(script(), "start", dir.toString(), hostName).strip();
        return new SanlockDaemon(dir, hostName, Long.parseLong(out.lines().reduce((a, b) -> b).orElseThrow()));
    }

    /**
     * Starts the daemon this process's client library talks to: the one of this process's
     * SANLOCK_RUN_DIR, which the test's build sets (failsafe's environment).
     */
    public static SanlockDaemon startForThisProcess(String hostName) throws IOException, InterruptedException {
        String dir = System.getenv("SANLOCK_RUN_DIR");
        if (dir == null || dir.isEmpty()) {
            throw new IllegalStateException("SANLOCK_RUN_DIR is not set for this JVM: the build must set it"
                    + " (libsanlock reads it once, at the first call)");
        }
        return start(Path.of(dir), hostName);
    }

    public Path runDir() {
        return runDir;
    }

    public String hostName() {
        return hostName;
    }

    public long pid() {
        return pid;
    }

    public Path log() {
        return runDir.resolveSibling(runDir.getFileName() + ".log");
    }

    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && Files.exists(runDir.resolve("sanlock.pid"));
    }

    /** What a client process needs in its environment to talk to this daemon. */
    public Map<String, String> clientEnvironment() {
        return Map.of("SANLOCK_RUN_DIR", runDir.toString());
    }

    /** SIGKILL by PID: as if its host died; the daemon's leases stay on disk as they are. */
    @Override
    public void close() throws IOException, InterruptedException {
        Lab.run(script(), "stop", runDir.toString());
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run.
        }
    }

    /** The shutdown hook: no script at JVM exit, the PID and the directory directly. */
    private void kill() {
        ProcessHandle.of(pid).filter(p -> p.info().command().map(SANLOCK::equals).orElse(false))
                .ifPresent(ProcessHandle::destroyForcibly);
        if (Files.isDirectory(runDir)) {
            try (Stream<Path> files = Files.walk(runDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String script() {
        return Libvirtd.projectRoot().resolve("lab/sanlock.sh").toString();
    }

    @Override
    public String toString() {
        return "sanlock daemon " + hostName + " (pid " + pid + ", " + runDir + ")";
    }
}
