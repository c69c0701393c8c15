package org.headroom.lease.sanlock;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.headroom.testing.SanlockDaemon;

/**
 * A host's program ({@link HostMain}, or another with the same line protocol) in a JVM of its own,
 * as another host with its own daemon; ended by PID.
 */
public final class HostProcess implements AutoCloseable {
    private static final Duration REPLY = Duration.ofSeconds(40);

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Path log;

    private HostProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    replies.add(line);
                }
            } catch (IOException closed) {
                // The process ended.
            }
        }, "host-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a host talking to {@code daemon}; its stderr goes to {@code log}. */
    public static HostProcess start(String name, SanlockDaemon daemon, Path log) throws IOException {
        return start(name, daemon, log, HostMain.class);
    }

    /** Starts {@code main} (one reply line per command line) as a host talking to {@code daemon}. */
    public static HostProcess start(String name, SanlockDaemon daemon, Path log, Class<?> main, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
        pb.environment().putAll(daemon.clientEnvironment());
        return new HostProcess(name, pb.start(), log);
    }

    /** Sends {@code command} and returns the result of its {@code ok}; an {@code err} throws {@link Failed}. */
    public String call(String command) {
        return call(command, REPLY);
    }

    /** {@link #call(String)}, waiting at most {@code timeout} for the reply. */
    public String call(String command, Duration timeout) {
        String reply;
        try {
            stdin.write(command);
            stdin.write('\n');
            stdin.flush();
            reply = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new AssertionError(name + " took no command '" + command + "' (alive=" + process.isAlive() + "); see " + log, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted waiting for the reply to '" + command + "'", e);
        }
        if (reply == null) {
            throw new AssertionError(name + ": no reply to '" + command + "' within " + timeout + " (alive=" + process.isAlive()
                    + "); see " + log);
        }
        if (reply.equals("ok")) {
            return "";
        }
        if (reply.startsWith("ok ")) {
            return reply.substring(3);
        }
        String[] f = reply.split(" ", 5);
        throw new Failed(name + ": " + command + " -> " + reply, f[1], Integer.parseInt(f[2]), f[3]);
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits for the process to end (killed by its daemon, say); returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still running after " + timeout);
        }
        return process.exitValue();
    }

    /** SIGKILL: the process dies where it stands, its registration with it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                stdin.close();
            } catch (IOException gone) {
                // It ended meanwhile.
            }
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /** A sanlock error in the other host: the class of its exception, its code and the code's name. */
    public static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final String kind;
        public final int code;
        public final String codeName;

        Failed(String message, String kind, int code, String codeName) {
            super(message);
            this.kind = kind;
            this.code = code;
            this.codeName = codeName;
        }
    }
}
