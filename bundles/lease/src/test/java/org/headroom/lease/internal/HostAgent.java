package org.headroom.lease.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;

/**
 * The lease service of another simulated host, in a JVM of its own over its own sanlock daemon, as
 * the multi-host tests' host programs ({@link JobsHostMain}, {@link SpmHostMain}) start it from
 * their first arguments: {@code DOMAIN_ROOT DOMAIN_UUID HOST_ID IO_TIMEOUT AGENT_DIR}.
 */
final class HostAgent implements AutoCloseable {
    /** A command line's words to its result; what it throws is replied as {@code err}. */
    @FunctionalInterface
    interface Command {
        String run(String[] words) throws Exception;
    }

    final UUID domain;
    final int hostId;
    final DomainSet storage;
    final SanlockLeases leases;
    final ThreadScheduler scheduler;
    private final Sanlock sanlock;

    private HostAgent(String[] args) throws IOException {
        domain = UUID.fromString(args[1]);
        hostId = Integer.parseInt(args[2]);
        int io = Integer.parseInt(args[3]);
        storage = DomainSet.of(Path.of(args[0]).resolve("run-" + hostId), FileStorageDomain.open(Path.of(args[0]), domain, "file"));
        sanlock = Sanlock.open(CallBounds.forIoTimeout(io));
        scheduler = ThreadScheduler.create("leases", 1, 64);
        leases = new SanlockLeases(sanlock, hostId, storage, io, scheduler, Path.of(args[4]));
        leases.start();
    }

    static HostAgent start(String[] args) throws IOException {
        return new HostAgent(args);
    }

    /**
     * Answers standard input line by line until it ends: {@code joined} waits for the domain's
     * lockspace; any other line goes to {@code command}. One line back each: {@code ok [result]}
     * or {@code err <class> 0 - <message>}.
     */
    void serve(Command command) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split(" ");
            try {
                String result;
                if (words[0].equals("joined")) {
                    leases.awaitJoined(domain, Duration.ofSeconds(30));
                    result = "";
                } else {
                    result = command.run(words);
                }
                out.println(result.isEmpty() ? "ok" : "ok " + result);
            } catch (Exception e) {
                out.println("err " + e.getClass().getSimpleName() + " 0 - " + String.valueOf(e.getMessage()).replace('\n', ' '));
            }
        }
    }

    @Override
    public void close() throws Exception {
        try (sanlock; scheduler; leases) {
            // closed in reverse: the leases given up, then the scheduler and the binding
        }
    }
}
