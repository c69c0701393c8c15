package org.headroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * A real QEMU started by a test, with its QMP socket and serial console in a directory of the
 * test's. Ended by PID on {@link #close()} (SIGTERM, then SIGKILL), and by a shutdown hook should
 * a test forget.
 */
public final class QemuProcess implements AutoCloseable {
    private final Process process;
    private final Path qmpSocket;
    private final Console console;
    private final Thread cleanup;

    private QemuProcess(Process process, Path qmpSocket, Console console) {
        this.process = process;
        this.qmpSocket = qmpSocket;
        this.console = console;
        this.cleanup = new Thread(process::destroyForcibly, "kill-qemu-" + process.pid());
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Starts QEMU with no defaults, no display, a QMP socket {@code dir/qmp.sock} and the serial
     * console written to {@code dir/console.log}; {@code args} add the machine's devices.
     */
    public static QemuProcess start(Path dir, List<String> args) throws IOException, InterruptedException {
        Path socket = dir.resolve("qmp.sock");
        Path console = dir.resolve("console.log");
        Files.deleteIfExists(socket);
        List<String> cmd = new ArrayList<>(List.of(Lab.QEMU, "-nodefaults", "-display", "none",
                "-machine", "q35", "-accel", "tcg",
                "-qmp", "unix:" + socket + ",server=on,wait=off",
                "-serial", "file:" + console));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()).start();
        QemuProcess qemu = new QemuProcess(p, socket, new Console(console));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                qemu.close();
                throw new IOException("QEMU did not open its QMP socket: "
                        + Files.readString(dir.resolve("qemu.log")).strip());
            }
            Thread.sleep(10);
        }
        return qemu;
    }

    public Path qmpSocket() {
        return qmpSocket;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Console consoleLog() {
        return console;
    }

    /** The serial console so far. */
    public String console() throws IOException {
        return console.text();
    }

    /** Waits until a console line matches; returns the match. */
    public Matcher awaitConsole(String regex, Duration timeout) throws IOException, InterruptedException {
        return console.await(regex, timeout);
    }

    /** Waits for QEMU to exit by itself (the guest powered off); returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("QEMU still running after " + timeout);
        }
        return process.exitValue();
    }

    /** SIGKILL, as when QEMU crashes. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** SIGSTOP: QEMU stays alive but answers nothing. */
    public void freeze() throws IOException, InterruptedException {
        Lab.run("kill", "-STOP", Long.toString(process.pid()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run.
        }
    }
}
