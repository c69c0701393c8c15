package org.headroom.mailbox.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.internal.HostMailbox;
import org.headroom.mailbox.internal.MailboxPolicy;
import org.headroom.mailbox.internal.SpmMailbox;
import org.headroom.runtime.NamedThreads;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.FileStorageDomain;

/**
 * The mailbox without Karaf: an SPM for a domain directory, or one or more hosts sending extend
 * requests, so that processes (and machines, and other implementations) can be tested against
 * each other. See {@link #USAGE}.
 */
public final class MailboxTool {
    static final String USAGE = """
            usage:
              mailbox-tool spm --root DIR --domain UUID [--backend loop|file] [--policy headroom|vdsm|events-only]
                               [--max-host-id N] [--workers N] [--create] [--stats SECONDS]
                  Serves the SPM side until killed; prints "ready" once serving, and a stats line every SECONDS.
              mailbox-tool host --root DIR --domain UUID --ids N[-M] [--backend loop|file]
                                [--policy headroom|vdsm|legacy-host] [--refresh] [--max-in-flight N]
                                [--request-timeout-ms MS]
                  Acts as hosts N..M. Reads requests from standard input, one a line: HOST VOLUME-UUID SIZE-MiB.
                  Prints one line an answer: "ok HOST VOLUME MiB LATENCY-us [SIZE-SEEN]" or "fail HOST VOLUME REASON";
                  with --refresh, activates each volume on this host and refreshes it after the reply (SIZE-SEEN).
                  At end of input, waits for every answer (each comes within the request timeout, 60 s by
                  default), prints "stats ..." per host and exits.
              mailbox-tool create-volume --root DIR --domain UUID --image UUID --volume UUID --size MiB [--backend loop|file]
              --backend defaults to file; give the backend the domain's agents use (the distribution's is loop).
            """;

    private MailboxTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.print(USAGE);
            System.exit(2);
        }
        Map<String, String> opts;
        try {
            opts = options(args);
        } catch (IllegalArgumentException e) {
            System.err.println("mailbox-tool: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        try {
            switch (args[0]) {
                case "spm" -> spm(opts);
                case "host" -> host(opts);
                case "create-volume" -> createVolume(opts);
                default -> {
                    System.err.print(USAGE);
                    System.exit(2);
                }
            }
        } catch (IllegalArgumentException | org.headroom.api.storage.StorageException e) {
            System.err.println("mailbox-tool: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void spm(Map<String, String> opts) throws Exception {
        Path root = Path.of(required(opts, "root"));
        UUID uuid = UUID.fromString(required(opts, "domain"));
        String backend = opts.getOrDefault("backend", "file");
        FileStorageDomain domain = opts.containsKey("create")
                ? FileStorageDomain.create(root, uuid, backend) : FileStorageDomain.open(root, uuid, backend);
        int maxHostId = Integer.parseInt(opts.getOrDefault("max-host-id", "250"));
        ThreadScheduler inboxThread = ThreadScheduler.create("mailbox-spm", 1, 16);
        ThreadScheduler outboxThread = ThreadScheduler.create("mailbox-spm-outbox", 1, 16);
        ThreadScheduler workers = ThreadScheduler.create("mailbox-spm-extend", Integer.parseInt(opts.getOrDefault("workers", "4")),
                maxHostId * 63 + 1024);
        SpmMailbox spm = new SpmMailbox(domain, MailboxPolicy.named(opts.getOrDefault("policy", "headroom")), maxHostId,
                inboxThread, outboxThread, workers);
        spm.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(NamedThreads.daemon("mailbox-tool-stop", () -> {
            try {
                spm.close();
            } catch (Exception e) {
                System.err.println("mailbox-tool: " + e);
            }
            inboxThread.close();
            outboxThread.close();
            workers.close();
            stopped.countDown();
        }));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("ready");
        long every = Long.parseLong(opts.getOrDefault("stats", "0"));
        while (!stopped.await(every > 0 ? every : 3600, TimeUnit.SECONDS)) {
            if (every > 0) {
                out.printf("stats %s bytesRead=%d bytesReadPerSecond=%.0f%n", spm.stats().summary(), spm.bytesRead(),
                        spm.bytesReadPerSecond());
            }
        }
    }

    private static void host(Map<String, String> opts) throws Exception {
        Path root = Path.of(required(opts, "root"));
        UUID uuid = UUID.fromString(required(opts, "domain"));
        FileStorageDomain domain = FileStorageDomain.open(root, uuid, opts.getOrDefault("backend", "file"));
        MailboxPolicy policy = MailboxPolicy.named(opts.getOrDefault("policy", "headroom"));
        if (opts.containsKey("request-timeout-ms")) {
            policy = policy.withRequestTimeout(java.time.Duration.ofMillis(Long.parseLong(opts.get("request-timeout-ms"))));
        }
        int maxInFlight = Integer.parseInt(opts.getOrDefault("max-in-flight", "63"));
        boolean refresh = opts.containsKey("refresh");
        String[] range = required(opts, "ids").split("-");
        int first = Integer.parseInt(range[0]);
        int last = range.length > 1 ? Integer.parseInt(range[1]) : first;
        ThreadScheduler pollers = ThreadScheduler.create("mailbox-hosts", Math.min(4, last - first + 1), 64 * (last - first + 1) + 64);
        Map<Integer, HostMailbox> hosts = new LinkedHashMap<>();
        Map<Integer, Semaphore> slots = new HashMap<>();
        for (int id = first; id <= last; id++) {
            HostMailbox h = new HostMailbox(id, uuid, domain.inbox(), domain.outbox(), policy, maxInFlight, pollers);
            h.start();
            hosts.put(id, h);
            slots.put(id, new Semaphore(maxInFlight));
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Set<VolumeRef> activated = ConcurrentHashMap.newKeySet();
        AtomicInteger outstanding = new AtomicInteger();
        Object done = new Object();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) {
                if (!line.isBlank()) {
                    out.println("fail - - malformed request line: " + line);
                }
                continue;
            }
            int id = Integer.parseInt(f[0]);
            HostMailbox host = hosts.get(id);
            if (host == null) {
                out.println("fail " + id + " " + f[1] + " host " + id + " is not one of " + hosts.keySet());
                continue;
            }
            VolumeRef volume;
            try {
                volume = domain.volume(UUID.fromString(f[1]));
                if (refresh && activated.add(volume)) {
                    domain.volumes().activate(volume);
                }
            } catch (RuntimeException e) {
                out.println("fail " + id + " " + f[1] + " " + e.getMessage());
                continue;
            }
            long mib = Long.parseLong(f[2]);
            slots.get(id).acquire();
            outstanding.incrementAndGet();
            long start = System.nanoTime();
            host.extend(volume, mib << 20).whenComplete((size, error) -> {
                long micros = (System.nanoTime() - start) / 1000;
                if (error == null) {
                    String seen = "";
                    if (refresh) {
                        seen = " " + domain.volumes().refresh(volume);
                    }
                    out.println("ok " + id + " " + volume.volume() + " " + (size >> 20) + " " + micros + seen);
                } else {
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    out.println("fail " + id + " " + volume.volume() + " " + cause.getMessage());
                }
                slots.get(id).release();
                if (outstanding.decrementAndGet() == 0) {
                    synchronized (done) {
                        done.notifyAll();
                    }
                }
            });
        }
        synchronized (done) {
            while (outstanding.get() > 0) {
                done.wait(1000);
            }
        }
        for (HostMailbox h : hosts.values()) {
            out.println("stats host=" + h.hostId() + " " + h.stats().summary());
            h.close();
        }
        for (VolumeRef v : activated) {
            domain.volumes().deactivate(v);
        }
        pollers.close();
    }

    private static void createVolume(Map<String, String> opts) {
        Path root = Path.of(required(opts, "root"));
        UUID uuid = UUID.fromString(required(opts, "domain"));
        FileStorageDomain domain = FileStorageDomain.create(root, uuid, opts.getOrDefault("backend", "file"));
        domain.volumes().create(new VolumeRef(uuid, UUID.fromString(required(opts, "image")),
                UUID.fromString(required(opts, "volume"))), Long.parseLong(required(opts, "size")) << 20);
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        List<String> flags = List.of("create", "refresh");
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String name = args[i].substring(2);
            if (flags.contains(name)) {
                opts.put(name, "true");
            } else if (i + 1 < args.length) {
                opts.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        return opts;
    }

    private static String required(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}
