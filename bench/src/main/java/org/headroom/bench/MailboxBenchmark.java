package org.headroom.bench;

import static org.headroom.bench.BenchSupport.counters;
import static org.headroom.bench.BenchSupport.deleteTree;
import static org.headroom.bench.BenchSupport.loadAverage;
import static org.headroom.bench.BenchSupport.round;
import static org.headroom.bench.BenchSupport.rounded;
import static org.headroom.bench.BenchSupport.summary;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.MailboxCounters;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.internal.HostMailbox;
import org.headroom.mailbox.internal.MailboxPolicy;
import org.headroom.mailbox.internal.SpmMailbox;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.FileStorageDomain;

/**
 * The storage mailbox end to end, Headroom's policy against VDSM's in the same run: real
 * {@link HostMailbox} and {@link SpmMailbox} instances in this JVM, over a fresh file storage
 * domain per scenario on a real file system (direct I/O), as in the mailbox's integration tests.
 *
 * <ol>
 * <li><b>latency</b>: one host sends extend requests one after another, each waiting for its
 *     reply, a random pause between them of 0..20 ms or a whole tick of the policy's slowest poller
 *     (VDSM: 0.5 s), whichever is longer; request → reply percentiles from the raw samples.
 * <li><b>idle</b>: an SPM serving 250 hosts while nothing happens; inbox bytes read per second.
 * <li><b>burst</b>: 2000 hosts sharing one 4-thread scheduler each send one request at the same
 *     instant; how many were answered, how fast, and what the hosts' polling cost. Measured on the
 *     last of {@code burst.warmup} + 1 bursts, each to a larger size, so that the JIT has compiled
 *     the code a long-running SPM and hosts would run; the warm-up bursts' figures are reported too.
 * </ol>
 *
 * <p>Not JMH: every scenario is a single long measurement of a system with its own clocks
 * (poll intervals), and what matters is the distribution of its samples. Run with
 * {@code bench/run-mailbox.sh [--quick] [--key value ...]}; {@code --help} lists the keys, each
 * also settable as a system property {@code -Dmailbox.<key>=value}.
 */
public final class MailboxBenchmark {
    private static final long MIB = 1 << 20;

    /** The settings, with their full-run and {@code --quick} defaults. */
    private static final String[][] KEYS = BenchOptions.keys("latency,idle,burst", new String[][] {
            // key, full, quick, meaning
            {"policies", "headroom,vdsm", "headroom,vdsm", "mailbox policies, each run in every scenario: headroom, vdsm, "
                    + "events-only, legacy-host; the table compares headroom with vdsm"},
            {"seed", "1", "1", "seed of the random pauses"},
            {"spm.workers", "4", "4", "SPM extend worker threads"},
            {"latency.n.headroom", "200", "30", "measured requests, Headroom's timing (headroom, events-only)"},
            {"latency.n.vdsm", "40", "8", "measured requests, VDSM's timing (vdsm, legacy-host)"},
            {"latency.warmup", "3", "2", "requests before the measured ones, not counted"},
            {"latency.pause.ms", "20", "20", "random pause 0..this before each request"},
            {"latency.host.id", "1", "1", "the requesting host's id"},
            {"latency.max.host.id", "250", "250", "the SPM's max_host_id"},
            {"latency.timeout.s", "30", "30", "give up waiting for one reply after this"},
            {"idle.seconds", "30", "5", "measured idle time"},
            {"idle.warmup.s", "2.25", "1.25", "time after the SPM started, not measured (off the SPM's 0.5/2/10 s ticks)"},
            {"idle.max.host.id", "250", "250", "the SPM's max_host_id"},
            {"idle.live.hosts", "0", "0", "hosts the lockspace reports live (every 5th id), to which the periodic scan "
                    + "is limited as when the SPM holds its role by lease; 0: not limited"},
            {"burst.hosts", "2000", "200", "hosts, ids 1..N, one volume each"},
            {"burst.max.host.id", "2000", "200", "the SPM's max_host_id (at least burst.hosts)"},
            {"burst.threads", "4", "4", "threads of the scheduler all hosts share"},
            {"burst.submitters", "2", "2", "threads calling extend() once the latch opens"},
            {"burst.images", "per-volume", "per-volume", "per-volume: each volume in its own image (as VM disks); shared: all in one image"},
            {"burst.settle.s", "3", "2", "wait after starting the hosts, and between bursts"},
            {"burst.warmup", "3", "1", "unmeasured bursts before the measured one (JIT compilation)"},
            {"burst.timeout.s", "60", "30", "give up waiting for replies after this"},
    });

    /** The threads of the scheduler the burst's hosts share. */
    private static final String HOST_POOL = "bench-hosts";

    private final BenchOptions config;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    private MailboxBenchmark(BenchOptions config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // The mailbox logs every extension at INFO: thousands of lines, and time, in the burst.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BenchOptions config = BenchOptions.parseOrExit("MailboxBenchmark", args, KEYS, "mailbox");
        if (config != null) {
            System.exit(new MailboxBenchmark(config).run());
        }
    }

    private int integer(String key) {
        return config.integer(key);
    }

    // ---------------------------------------------------------------------------------------------
    // The run

    private int run() throws Exception {
        long runStart = System.nanoTime();
        Path root = Path.of(config.get("root"));
        String fsType = BenchSupport.directIoFileSystem("MailboxBenchmark", root);
        if (fsType == null) {
            return 2;
        }
        Path base = Files.createTempDirectory(root, "headroom-mailbox-bench-");
        Thread cleaner = new Thread(() -> deleteTree(base), "mailbox-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleaner); // interrupted runs leave no domains behind

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "mailbox");
        report.put("started", Instant.now().toString());
        report.put("config", config.all());
        Map<String, Object> environment = BenchSupport.environment(root, fsType);
        environment.put("max_open_files", openFilesLimit());
        report.put("environment", environment);
        Map<String, Object> scenarios = new LinkedHashMap<>();
        report.put("scenarios", scenarios);
        boolean failed = false;

        System.out.printf("mailbox benchmark (%s): domains under %s (%s), policies %s%n", config.get("mode"), base, fsType,
                config.names("policies"));
        try {
            for (String scenario : config.names("scenarios")) {
                Map<String, Object> results = new LinkedHashMap<>();
                scenarios.put(scenario, results);
                for (MailboxPolicy policy : config.names("policies").stream().map(MailboxPolicy::named).toList()) {
                    System.out.printf("-- %s, %s policy ...%n", scenario, policy.name());
                    long start = System.nanoTime();
                    Map<String, Object> r;
                    try {
                        r = switch (scenario) {
                            case "latency" -> latency(base, policy);
                            case "idle" -> idle(base, policy);
                            case "burst" -> burst(base, policy);
                            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                        };
                    } catch (Exception | Error e) {
                        failed = true;
                        System.out.printf("   FAILED: %s%n", e);
                        e.printStackTrace(System.out);
                        r = new LinkedHashMap<>();
                        r.put("error", e.toString());
                    }
                    r.put("scenario_seconds", round((System.nanoTime() - start) / 1e9));
                    r.put("policy", policy.toString());
                    System.out.printf("   %s%n", brief(scenario, r));
                    results.put(policy.name(), r);
                }
            }
        } finally {
            deleteTree(base);
            try {
                Runtime.getRuntime().removeShutdownHook(cleaner);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        List<Map<String, Object>> table = table(scenarios);
        report.put("table", table);
        report.put("load_average_end", loadAverage());
        report.put("run_seconds", round((System.nanoTime() - runStart) / 1e9));
        System.out.println();
        System.out.print(render(table));
        System.out.printf("%nrun time %.1f s; load average %s at the start, %s at the end; 'met?' judges the Headroom column%n",
                (System.nanoTime() - runStart) / 1e9, environment.get("load_average_start"), loadAverage());
        String json = config.get("json");
        if (!json.isEmpty()) {
            BenchSupport.writeJson(Path.of(json), report);
            System.out.println("raw results: " + json);
        }
        return failed ? 1 : 0;
    }

    // ---------------------------------------------------------------------------------------------
    // (a) latency: one host, requests one after another

    private Map<String, Object> latency(Path base, MailboxPolicy policy) throws Exception {
        // A host on VDSM's fixed 0.5 s (or 2 s) cadence takes a second or so per request: fewer of them.
        int n = integer(policy.hostTicksFixed() ? "latency.n.vdsm" : "latency.n.headroom");
        int warmup = integer("latency.warmup");
        // Requests must not line up with either side's ticks: pause at random over a whole tick of
        // the slower side (VDSM: 0.5 s), else a fixed phase decides the round trip.
        long pauseMaxNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(integer("latency.pause.ms")),
                Math.max(policy.eventsIntervalIdle().toNanos(), policy.hostPollMax().toNanos()));
        long timeoutMs = TimeUnit.SECONDS.toMillis(integer("latency.timeout.s"));
        int hostId = integer("latency.host.id");
        Random random = new Random(Long.parseLong(config.get("seed")));
        Map<String, Object> r = new LinkedHashMap<>();
        try (Resources res = new Resources()) {
            FileStorageDomain domain = freshDomain(res, base, "latency-" + policy.name());
            VolumeRef volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
            domain.volumes().create(volume, MIB);
            SpmMailbox spm = BenchSupport.startSpm(res, domain, policy, integer("latency.max.host.id"), integer("spm.workers"));
            ThreadScheduler hostThread = res.add(ThreadScheduler.create("bench-host-" + hostId, 1, 1_000));
            HostMailbox host = res.add(new HostMailbox(hostId, domain.uuid(), domain.inbox(), domain.outbox(), policy,
                    MailboxLayout.SLOTS, hostThread));
            host.start();

            List<Double> samples = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            long sizeMiB = 1;
            int consecutiveFailures = 0;
            Probe probe = null;
            long measuredStart = 0;
            for (int i = -warmup; i < n; i++) {
                if (i == 0) {
                    probe = new Probe(spm);
                    measuredStart = System.nanoTime();
                }
                LockSupport.parkNanos(random.nextLong(pauseMaxNanos + 1));
                sizeMiB++; // always larger: a real extension each time, never a duplicate of the last
                long want = sizeMiB * MIB;
                AtomicLong done = new AtomicLong();
                long t0 = System.nanoTime();
                try {
                    long got = host.extend(volume, want).whenComplete((s, e) -> done.set(System.nanoTime()))
                            .toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
                    if (got != want) {
                        throw new IllegalStateException("asked for " + want + " bytes, reply says " + got);
                    }
                    consecutiveFailures = 0;
                    if (i >= 0) {
                        samples.add((done.get() - t0) / 1e6);
                    }
                } catch (ExecutionException | TimeoutException | IllegalStateException e) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    errors.add("request " + i + ": " + cause);
                    if (++consecutiveFailures >= 3) {
                        throw new IllegalStateException("3 requests in a row failed: " + errors.subList(errors.size() - 3, errors.size()));
                    }
                }
            }
            double measuredSeconds = (System.nanoTime() - measuredStart) / 1e9;
            long finalSize = domain.volumes().size(volume);
            r.put("requests", n);
            r.put("warmup", warmup);
            r.put("answered", samples.size());
            r.put("errors", errors);
            r.putAll(summary(samples));
            r.put("volume_size_mib_expected", sizeMiB);
            r.put("volume_size_mib_found", finalSize / MIB);
            r.put("measured_seconds", round(measuredSeconds));
            r.put("costs", probe.finish(measuredSeconds));
            r.put("host_stats", counters(host.stats()));
            r.put("spm_stats", counters(spm.stats()));
            r.put("samples_ms", rounded(samples));
        }
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // (b) idle: what an SPM reads when nothing happens

    private Map<String, Object> idle(Path base, MailboxPolicy policy) throws Exception {
        int maxHostId = integer("idle.max.host.id");
        Map<String, Object> r = new LinkedHashMap<>();
        try (Resources res = new Resources()) {
            FileStorageDomain domain = freshDomain(res, base, "idle-" + policy.name());
            SpmMailbox spm = BenchSupport.startSpm(res, domain, policy, maxHostId, integer("spm.workers"));
            int live = integer("idle.live.hosts");
            if (live > 0) {
                java.util.Set<Integer> ids = new java.util.TreeSet<>();
                for (int i = 0; i < live; i++) {
                    ids.add(1 + (5 * i) % maxHostId);
                }
                spm.limitPeriodicScanTo(() -> java.util.Optional.of(ids));
            }
            int scanned = live > 0 ? Math.min(live, maxHostId) : maxHostId;
            // The window's ends fall between the SPM's scans (every 2 or 10 s from its start), so
            // that none is counted as begun (scans) but not yet read (bytes), or the other way round.
            Thread.sleep(Math.round(Double.parseDouble(config.get("idle.warmup.s")) * 1000));
            long scans0 = spm.stats().scans();
            long bytes0 = spm.bytesRead();
            Probe probe = new Probe(spm);
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(integer("idle.seconds")));
            long bytes1 = spm.bytesRead();
            long scans = spm.stats().scans() - scans0;
            long t1 = System.nanoTime();
            double seconds = (t1 - t0) / 1e9;
            long bytes = bytes1 - bytes0;
            long scanBytes = scans * scanned * (long) MailboxLayout.BLOCK_SIZE;
            r.put("max_host_id", maxHostId);
            r.put("live_hosts", live);
            r.put("seconds", round(seconds));
            r.put("bytes_read", bytes);
            r.put("kib_per_s", round(bytes / 1024.0 / seconds));
            r.put("full_scans", scans);
            r.put("full_scan_bytes", scanBytes);
            r.put("full_scan_kib_per_s", round(scanBytes / 1024.0 / seconds));
            r.put("events_block_bytes", bytes - scanBytes);
            r.put("events_block_kib_per_s", round((bytes - scanBytes) / 1024.0 / seconds));
            r.put("spm_bytes_read_per_second_20s_window", round(spm.bytesReadPerSecond()));
            // What the policy means to read: a scan of max_host_id blocks every scanInterval, and the
            // events block (512 bytes if eventsReadSmallest, else 4096) every eventsIntervalIdle.
            double nominalScans = policy.periodicScan()
                    ? scanned * 4.0 / (policy.scanInterval().toNanos() / 1e9) : 0;
            r.put("nominal_full_scan_kib_per_s", round(nominalScans));
            r.put("nominal_events_kib_per_s_if_512", round(0.5 / (policy.eventsIntervalIdle().toNanos() / 1e9)));
            r.put("nominal_events_kib_per_s_if_4096", round(4.0 / (policy.eventsIntervalIdle().toNanos() / 1e9)));
            if (policy.periodicScan() && seconds < 2 * policy.scanInterval().toNanos() / 1e9) {
                r.put("note", String.format(Locale.ROOT, "the %.0f s window is short for a full scan every %d s: "
                        + "the scans' share is not representative", seconds, policy.scanInterval().toSeconds()));
            }
            r.put("costs", probe.finish(seconds));
            r.put("spm_stats", counters(spm.stats()));
        }
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // (c) burst: every host asks at once

    private Map<String, Object> burst(Path base, MailboxPolicy policy) throws Exception {
        int hosts = integer("burst.hosts");
        int maxHostId = integer("burst.max.host.id");
        if (hosts > maxHostId) {
            throw new IllegalArgumentException("burst.hosts " + hosts + " > burst.max.host.id " + maxHostId);
        }
        int submitters = Math.max(1, integer("burst.submitters"));
        boolean sharedImage = switch (config.get("burst.images")) {
            case "shared" -> true;
            case "per-volume" -> false;
            default -> throw new IllegalArgumentException("burst.images: per-volume or shared, not " + config.get("burst.images"));
        };
        Map<String, Object> r = new LinkedHashMap<>();
        try (Resources res = new Resources()) {
            long setupStart = System.nanoTime();
            FileStorageDomain domain = freshDomain(res, base, "burst-" + policy.name());
            VolumeRef[] volumes = new VolumeRef[hosts];
            UUID image = UUID.randomUUID();
            for (int i = 0; i < hosts; i++) {
                volumes[i] = new VolumeRef(domain.uuid(), sharedImage ? image : UUID.randomUUID(), UUID.randomUUID());
                domain.volumes().create(volumes[i], MIB);
            }
            SpmMailbox spm = BenchSupport.startSpm(res, domain, policy, maxHostId, integer("spm.workers"));
            // Room for every host's tick and every request it may hold.
            ThreadScheduler scheduler = res.add(ThreadScheduler.create(HOST_POOL, integer("burst.threads"),
                    (MailboxLayout.SLOTS + 1) * hosts + 64));
            HostMailbox[] mailboxes = new HostMailbox[hosts];
            for (int i = 0; i < hosts; i++) {
                mailboxes[i] = res.add(new HostMailbox(i + 1, domain.uuid(), domain.inbox(), domain.outbox(), policy,
                        MailboxLayout.SLOTS, scheduler));
                mailboxes[i].start();
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            // Unmeasured bursts first: the SPM and real hosts run for days, their code compiled by the
            // JIT. The compiler's time during the 1st..5th burst measured 1016, 615, 363, 221, 185 ms,
            // on the same 2 cores as the bursts' ~0.6-1.6 s of CPU.
            int warmups = integer("burst.warmup");
            List<Map<String, Object>> warmupResults = new ArrayList<>();
            Map<String, Object> measured = null;
            for (int round = 0; round <= warmups; round++) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(integer("burst.settle.s")));
                Map<String, Object> result = burstRound(domain, spm, mailboxes, volumes, (round + 2) * MIB, submitters);
                if (round < warmups) {
                    Map<String, Object> brief = new LinkedHashMap<>();
                    for (String k : List.of("answered", "failed", "unanswered", "p50_ms", "p99_ms", "max_ms", "last_answer_ms")) {
                        brief.put(k, result.get(k));
                    }
                    warmupResults.add(brief);
                    System.out.printf("   warm-up burst %d (not counted): %s%n", round + 1, brief);
                } else {
                    measured = result;
                }
            }
            long requests = 0;
            long replies = 0;
            long resends = 0;
            long timeouts = 0;
            for (HostMailbox m : mailboxes) {
                MailboxCounters c = m.stats();
                requests += c.requests();
                replies += c.replies();
                resends += c.resends();
                timeouts += c.timeouts();
            }
            r.put("hosts", hosts);
            r.put("max_host_id", maxHostId);
            r.put("scheduler_threads", integer("burst.threads"));
            r.put("images", sharedImage ? "shared" : "per-volume");
            r.put("setup_seconds", round(setupSeconds));
            r.put("warmup_bursts", warmupResults);
            r.putAll(measured);
            r.put("host_requests", requests);
            r.put("host_replies", replies);
            r.put("host_resends", resends);
            r.put("host_timeouts", timeouts);
            r.put("spm_stats", counters(spm.stats()));
            r.put("latencies_ms", measured.remove("latencies_ms"));
        }
        return r;
    }

    /** One burst: every host asks to extend its volume to {@code size} at once; waits for all replies. */
    private Map<String, Object> burstRound(FileStorageDomain domain, SpmMailbox spm, HostMailbox[] mailboxes,
                                           VolumeRef[] volumes, long size, int submitters) throws Exception {
        int hosts = mailboxes.length;
        long[] sent = new long[hosts];
        long[] answered = new long[hosts];
        String[] failures = new String[hosts];
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch remaining = new CountDownLatch(hosts);
        AtomicInteger submitted = new AtomicInteger();
        List<Thread> callers = new ArrayList<>();
        for (int s = 0; s < submitters; s++) {
            int first = s;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = first; i < hosts; i += submitters) {
                    int h = i;
                    sent[h] = System.nanoTime();
                    mailboxes[h].extend(volumes[h], size).whenComplete((got, error) -> {
                        answered[h] = System.nanoTime();
                        if (error != null) {
                            failures[h] = String.valueOf(error.getCause() != null ? error.getCause() : error);
                        } else if (got != size) {
                            failures[h] = "reply says " + got + " bytes";
                        }
                        remaining.countDown();
                    });
                    submitted.incrementAndGet();
                }
            }, "bench-burst-caller-" + s);
            t.start();
            callers.add(t);
        }
        Probe probe = new Probe(spm, HOST_POOL);
        long release = System.nanoTime();
        go.countDown();
        for (Thread t : callers) {
            t.join();
        }
        long allSent = System.nanoTime();
        boolean complete = remaining.await(integer("burst.timeout.s"), TimeUnit.SECONDS);
        long end = System.nanoTime();
        double seconds = (end - release) / 1e9;
        Map<String, Object> costs = probe.finish(seconds);

        List<Double> latencies = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        long lastAnswer = 0;
        int unanswered = 0;
        for (int h = 0; h < hosts; h++) {
            if (answered[h] == 0) {
                unanswered++;
            } else if (failures[h] != null) {
                failed.add("host " + (h + 1) + ": " + failures[h]);
            } else {
                latencies.add((answered[h] - sent[h]) / 1e6);
                lastAnswer = Math.max(lastAnswer, answered[h]);
            }
        }
        int wrongSize = 0;
        for (VolumeRef v : volumes) {
            if (domain.volumes().size(v) != size) {
                wrongSize++;
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("answered", latencies.size());
        r.put("failed", failed.size());
        r.put("unanswered", unanswered);
        r.put("all_answered_within_timeout", complete && failed.isEmpty());
        r.put("failures", failed.size() > 20 ? failed.subList(0, 20) : failed);
        r.putAll(summary(latencies));
        r.put("submit_spread_ms", round((allSent - release) / 1e6));
        r.put("last_answer_ms", lastAnswer == 0 ? null : round((lastAnswer - release) / 1e6));
        r.put("volumes_not_extended", wrongSize);
        r.put("costs", costs);
        r.put("latencies_ms", rounded(latencies));
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // Costs: CPU of the SPM's threads and of the hosts' pool, and the process's I/O system calls

    /** CPU and I/O counters at a start, for {@link #finish}. */
    private final class Probe {
        private final String hostPool;
        private final Map<Long, Long> spmCpu0 = new LinkedHashMap<>();
        private final Map<Long, Long> hostCpu0 = new LinkedHashMap<>();
        private final long spmBytes0;
        private final SpmMailbox spm;
        private final long processCpu0;
        private final Map<String, Long> io0;

        Probe(SpmMailbox spm) {
            this(spm, null);
        }

        /** @param hostPool the name of the hosts' threads, or null */
        Probe(SpmMailbox spm, String hostPool) {
            this.spm = spm;
            this.hostPool = hostPool;
            this.spmBytes0 = spm.bytesRead();
            for (Thread t : threadsNamed(BenchSupport.SPM_THREADS)) {
                spmCpu0.put(t.getId(), threads.getThreadCpuTime(t.getId()));
            }
            for (Thread t : threadsNamed(hostPool)) {
                hostCpu0.put(t.getId(), threads.getThreadCpuTime(t.getId()));
            }
            processCpu0 = processCpuNanos();
            io0 = procIo();
        }

        Map<String, Object> finish(double seconds) {
            Map<String, Object> c = new LinkedHashMap<>();
            long spmCpu = 0;
            for (Thread t : threadsNamed(BenchSupport.SPM_THREADS)) {
                long now = threads.getThreadCpuTime(t.getId());
                if (now >= 0) {
                    spmCpu += now - spmCpu0.getOrDefault(t.getId(), 0L);
                }
            }
            c.put("spm_cpu_ms", round(spmCpu / 1e6));
            c.put("spm_cpu_ms_per_s", round(spmCpu / 1e6 / seconds));
            c.put("spm_inbox_bytes_read", spm.bytesRead() - spmBytes0);
            if (hostPool != null) {
                long hostCpu = 0;
                for (Thread t : threadsNamed(hostPool)) {
                    long now = threads.getThreadCpuTime(t.getId());
                    if (now >= 0) {
                        hostCpu += now - hostCpu0.getOrDefault(t.getId(), 0L);
                    }
                }
                c.put("host_pool_cpu_ms", round(hostCpu / 1e6));
            }
            long processCpu = processCpuNanos() - processCpu0;
            c.put("process_cpu_ms", round(processCpu / 1e6));
            c.put("process_cpu_ms_per_s", round(processCpu / 1e6 / seconds));
            Map<String, Long> io1 = procIo();
            for (String k : List.of("syscr", "syscw", "rchar", "wchar")) {
                if (io0.containsKey(k) && io1.containsKey(k)) {
                    c.put("process_" + k, io1.get(k) - io0.get(k));
                }
            }
            return c;
        }
    }

    /** The threads whose names start with {@code prefix} (one SPM, one host pool runs at a time); none if null. */
    private static List<Thread> threadsNamed(String prefix) {
        return prefix == null ? List.of()
                : Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** /proc/self/io: read and write system calls and the bytes they moved. */
    private static Map<String, Long> procIo() {
        Map<String, Long> io = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                String[] kv = line.split(":\\s*");
                if (kv.length == 2) {
                    io.put(kv[0], Long.parseLong(kv[1].trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: no I/O counts
        }
        return io;
    }

    // ---------------------------------------------------------------------------------------------
    // The table

    private List<Map<String, Object>> table(Map<String, Object> scenarios) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, Object> e : scenarios.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> s = (Map<String, Map<String, Object>>) e.getValue();
            Map<String, Object> h = s.getOrDefault("headroom", Map.of());
            Map<String, Object> v = s.getOrDefault("vdsm", Map.of());
            switch (e.getKey()) {
                case "latency" -> {
                    rows.add(row("latency", "requests answered", h, v, "answered", "count", null, null));
                    for (String m : List.of("p50_ms", "p99_ms", "max_ms", "mean_ms")) {
                        rows.add(row("latency", m.replace("_ms", "") + " (ms)", h, v, m, "ms", null, null));
                    }
                    rows.add(row("latency", "SPM CPU (ms/s)", costs(h), costs(v), "spm_cpu_ms_per_s", "ms", null, null));
                    rows.add(row("latency", "process CPU (ms/s)", costs(h), costs(v), "process_cpu_ms_per_s", "ms", null, null));
                }
                case "idle" -> {
                    Double vdsm = number(v.get("kib_per_s"));
                    rows.add(row("idle", "inbox read (KiB/s)", h, v, "kib_per_s", "kib",
                            vdsm == null ? "<= 0.5 x vdsm" : String.format(Locale.ROOT, "<= %.2f (0.5 x vdsm)", vdsm / 2),
                            vdsm == null ? null : (Double x) -> x <= vdsm / 2));
                    rows.add(row("idle", "  of which full scans (KiB/s)", h, v, "full_scan_kib_per_s", "kib", null, null));
                    rows.add(row("idle", "  of which events block (KiB/s)", h, v, "events_block_kib_per_s", "kib", null, null));
                    rows.add(row("idle", "full scans", h, v, "full_scans", "count", null, null));
                    rows.add(row("idle", "SPM CPU (ms/s)", costs(h), costs(v), "spm_cpu_ms_per_s", "ms", null, null));
                }
                case "burst" -> {
                    Object hosts = h.getOrDefault("hosts", v.get("hosts"));
                    rows.add(row("burst", "answered (of " + hosts + ")", h, v, "answered", "count", "all",
                            (Double x) -> hosts != null && x.intValue() == ((Number) hosts).intValue()));
                    rows.add(row("burst", "p50 (ms)", h, v, "p50_ms", "ms", null, null));
                    rows.add(row("burst", "p99 (ms)", h, v, "p99_ms", "ms", "<= 250", (Double x) -> x <= 250));
                    rows.add(row("burst", "max (ms)", h, v, "max_ms", "ms", null, null));
                    rows.add(row("burst", "last answer (ms)", h, v, "last_answer_ms", "ms", null, null));
                    rows.add(row("burst", "host pool CPU (ms)", costs(h), costs(v), "host_pool_cpu_ms", "ms", null, null));
                    rows.add(row("burst", "read syscalls (process)", costs(h), costs(v), "process_syscr", "count", null, null));
                    rows.add(row("burst", "SPM seen->reply p99 (ms, bucketed)", spmLatency(h), spmLatency(v), "p99", "ms",
                            null, null));
                    rows.add(row("burst", "SPM full scans (since start)", stats(h), stats(v), "scans", "count", null, null));
                    rows.add(row("burst", "SPM inbox read (MiB)", spmMiB(h), spmMiB(v), "mib", "ms", null, null));
                    rows.add(row("burst", "host resends", h, v, "host_resends", "count", null, null));
                }
                default -> {
                }
            }
        }
        return rows;
    }

    private static Map<String, Object> spmLatency(Map<String, Object> r) {
        Double us = number(stats(r).get("latency_p99_us_bucketed"));
        return us == null ? Map.of() : Map.of("p99", us / 1000);
    }

    private static Map<String, Object> spmMiB(Map<String, Object> r) {
        Double bytes = number(costs(r).get("spm_inbox_bytes_read"));
        return bytes == null ? Map.of() : Map.of("mib", bytes / MIB);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> costs(Map<String, Object> r) {
        return (Map<String, Object>) r.getOrDefault("costs", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stats(Map<String, Object> r) {
        return (Map<String, Object>) r.getOrDefault("spm_stats", Map.of());
    }

    private interface Goal {
        boolean met(Double headroom);
    }

    private static Map<String, Object> row(String scenario, String metric, Map<String, Object> h, Map<String, Object> v,
                                           String key, String unit, String goal, Goal check) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("scenario", scenario);
        row.put("metric", metric);
        Double hv = number(h.get(key));
        Double vv = number(v.get(key));
        row.put("headroom", hv);
        row.put("vdsm", vv);
        row.put("ratio", hv != null && vv != null && vv != 0 ? hv / vv : null);
        row.put("goal", goal);
        row.put("met", goal == null ? null : hv != null && check != null && check.met(hv));
        row.put("unit", unit);
        return row;
    }

    private static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    private static String render(List<Map<String, Object>> rows) {
        String[] head = {"scenario", "metric", "headroom", "vdsm", "ratio", "goal", "met?"};
        List<String[]> cells = new ArrayList<>();
        cells.add(head);
        for (Map<String, Object> r : rows) {
            boolean count = "count".equals(r.get("unit"));
            cells.add(new String[] {
                    (String) r.get("scenario"), (String) r.get("metric"),
                    format((Double) r.get("headroom"), count), format((Double) r.get("vdsm"), count),
                    r.get("ratio") == null ? "-" : String.format(Locale.ROOT, "%.3f", (Double) r.get("ratio")),
                    r.get("goal") == null ? "-" : (String) r.get("goal"),
                    r.get("met") == null ? "-" : ((Boolean) r.get("met") ? "yes" : "NO")});
        }
        return BenchSupport.table(cells, i -> i >= 2 && i <= 4);
    }

    private static String format(Double d, boolean count) {
        if (d == null) {
            return "-";
        }
        return count ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.2f", d);
    }

    private static String brief(String scenario, Map<String, Object> r) {
        if (r.containsKey("error")) {
            return "error: " + r.get("error");
        }
        return switch (scenario) {
            case "latency" -> String.format(Locale.ROOT, "answered %s/%s, p50 %s ms, p99 %s ms, max %s ms, mean %s ms (%s s)",
                    r.get("answered"), r.get("requests"), r.get("p50_ms"), r.get("p99_ms"), r.get("max_ms"), r.get("mean_ms"),
                    r.get("scenario_seconds"));
            case "idle" -> String.format(Locale.ROOT, "%s KiB/s (%s full scans in %s s: %s KiB/s; events block %s KiB/s), "
                            + "SPM CPU %s ms/s%s", r.get("kib_per_s"), r.get("full_scans"), r.get("seconds"),
                    r.get("full_scan_kib_per_s"), r.get("events_block_kib_per_s"), costs(r).get("spm_cpu_ms_per_s"),
                    r.containsKey("note") ? "\n   note: " + r.get("note") : "");
            case "burst" -> String.format(Locale.ROOT, "answered %s/%s (failed %s, unanswered %s), p50 %s ms, p99 %s ms, "
                            + "max %s ms, last answer %s ms, host pool CPU %s ms, setup %s s (%s s)",
                    r.get("answered"), r.get("hosts"), r.get("failed"), r.get("unanswered"), r.get("p50_ms"), r.get("p99_ms"),
                    r.get("max_ms"), r.get("last_answer_ms"), costs(r).get("host_pool_cpu_ms"), r.get("setup_seconds"),
                    r.get("scenario_seconds"));
            default -> r.toString();
        };
    }

    // ---------------------------------------------------------------------------------------------
    // The machine, domains

    private static String openFilesLimit() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/limits"))) {
            return lines.filter(l -> l.startsWith("Max open files")).map(l -> l.replace("Max open files", "").trim()
                    .replaceAll("\\s+", " ")).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** A new domain in its own directory, deleted when {@code res} closes (after all else in it). */
    private static FileStorageDomain freshDomain(Resources res, Path base, String name) throws Exception {
        Path dir = Files.createDirectory(base.resolve(name));
        res.add(() -> deleteTree(dir));
        return FileStorageDomain.create(dir, UUID.randomUUID(), "file");
    }
}
