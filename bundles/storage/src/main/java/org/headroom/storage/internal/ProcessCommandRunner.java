package org.headroom.storage.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.headroom.runtime.NamedThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs commands as child processes, each bounded by a timeout after which it is killed. */
public final class ProcessCommandRunner implements CommandRunner {
    /** Long enough for LVM on a slow SAN; a command that hangs longer would stall the SPM. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(ProcessCommandRunner.class);
    /** How long to wait for the output of a killed command whose children still hold its pipes. */
    private static final long DRAIN_MILLIS = 1000;

    private final Duration timeout;

    public ProcessCommandRunner(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public String run(List<String> command) {
        long start = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command).start();
            process.getOutputStream().close(); // a command that reads stdin gets EOF rather than hanging
        } catch (IOException e) {
            throw new CommandFailedException(command, "could not start (" + e.getMessage() + ")", "");
        }
        // Both pipes are drained while the command runs: a full pipe would block it until the timeout.
        Drain stdout = new Drain(process.getInputStream(), command.get(0) + "-stdout");
        Drain stderr = new Drain(process.getErrorStream(), command.get(0) + "-stderr");
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CommandFailedException(command, "timed out after " + timeout.toMillis() + " ms and was killed",
                        stderr.text());
            }
            int exit = process.exitValue();
            String out = stdout.text();
            if (exit != 0) {
                throw new CommandFailedException(command, "exited " + exit, stderr.text());
            }
            LOG.debug("`{}` took {} ms", String.join(" ", command), (System.nanoTime() - start) / 1_000_000);
            return out;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException(command, "was interrupted and killed", "");
        }
    }

    /** Reads a stream to its end on a thread of its own. */
    private static final class Drain {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in, String name) {
            this.in = in;
            this.thread = NamedThreads.daemon("headroom-command-" + name, this::run);
            thread.start();
        }

        private void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (bytes) {
                        bytes.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // The process was killed and its pipe closed: what was read so far is all there is.
            }
        }

        String text() throws InterruptedException {
            thread.join(DRAIN_MILLIS);
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
