package org.headroom.mailbox.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A mailbox-tool in a JVM of its own, as on another host; ended by PID when the test ends. */
final class ToolProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Writer stdin;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ToolProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException closed) {
                // The process ended.
            }
        }, "tool-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static ToolProcess start(String name, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                MailboxTool.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        return new ToolProcess(name, p);
    }

    void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
    }

    void endInput() throws IOException {
        stdin.close();
    }

    void flush() throws IOException {
        stdin.flush();
    }

    List<String> lines() {
        return lines;
    }

    long count(Predicate<String> p) {
        return lines.stream().filter(p).count();
    }

    void awaitLine(Predicate<String> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines.stream().noneMatch(p)) {
            if (System.nanoTime() > deadline || (!process.isAlive() && lines.stream().noneMatch(p))) {
                Thread.sleep(100);
                if (lines.stream().anyMatch(p)) {
                    return;
                }
                throw new AssertionError(name + ": no such line within " + timeout + " (alive=" + process.isAlive()
                        + "); output: " + tail());
            }
            Thread.sleep(5);
        }
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still running after " + timeout + "; output: " + tail());
        }
        reader.join(5000);
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: the process dies where it stands. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    String tail() {
        int n = lines.size();
        return String.join("\n", lines.subList(Math.max(0, n - 20), n));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
