package org.headroom.bench;

import static org.headroom.bench.BenchSupport.deleteTree;
import static org.headroom.bench.BenchSupport.loadAverage;
import static org.headroom.bench.BenchSupport.round;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.headroom.bench.ScenarioResults.Chunks;
import org.headroom.bench.ScenarioResults.ChunksPolicy;
import org.headroom.bench.ScenarioResults.Sweep;
import org.headroom.bench.ScenarioResults.SweepPolicy;
import org.headroom.testing.Lab;

/**
 * Automatic extension of thin disks end to end, Headroom's policies against VDSM's in one run:
 * real QEMU running the real test guest (which writes with {@code dd oflag=direct} into a thin
 * qcow2 on a loop-device volume of a storage domain), one non-SPM host agent and the SPM in this
 * JVM, so that every extension travels the real mailbox (direct I/O) under {@code /var/tmp}. Every
 * guest run gets a fresh domain, volume, SPM, host mailbox and monitor ({@link GuestRunner}).
 *
 * <ol>
 * <li><b>latency</b>: chunk 128 MiB at 20 %, the guest at full rate writing (N + 1) chunks, so that
 *     it causes N + 1 extensions; per policy the extension latency p50/p99/max and its stages,
 *     extensions, pauses (ENOSPC).
 * <li><b>sweep</b>: chunk 64 MiB at 20 %: the guest at rising rates until a run pauses; each
 *     policy's highest rate without a pause, against the limit (the same write into a volume that
 *     is fully allocated, so that nothing is extended).
 * <li><b>chunks</b>: the guest at full rate: the smallest chunk with no pause, per policy.
 * </ol>
 *
 * <p>Latencies are the volume monitor's own: each extension's record (trigger → request → SPM's
 * answer → refreshed → re-armed) as it tells its listeners, checked against its status' p50/p99;
 * the harness also times each trigger event, as it sees it, to the record. Pauses are
 * {@code OutOfSpace} events (BLOCK_IO_ERROR nospace), and, as QEMU rate-limits those, VM stops
 * ({@code Paused}) are counted as well: "0 pauses" means none of either. The results are written
 * by {@link ThinExtendReport} (text, goals) and {@link ThinExtendPlot} (SVG).
 *
 * <p>Not JMH: each guest run is one long measurement of a system with its own clocks. Run with
 * {@code bench/run-thin-extend.sh [--quick] [--key value ...]}; {@code --help} lists the keys, each
 * also settable as {@code -Dthinextend.<key>=value}.
 */
public final class ThinExtendBenchmark {
    private static final long MIB = ExtendSetup.MIB;

    /** The settings, with their full-run and {@code --quick} defaults. */
    private static final String[][] KEYS = BenchOptions.keys("latency,sweep,chunks", new String[][] {
            // key, full, quick, meaning
            {"svg", "", "", "file to write the plot of scenario latency to (SVG); none when empty"},
            {"capacity.mib", "20480", "20480", "virtual size of the guest's disk (qcow2), MiB"},
            {"utilization", "20", "20", "utilization % of the chunk policies: watermark = (100 - u) % of a chunk"},
            {"latency.chunk.mib", "128", "128", "(a) chunk, MiB"},
            {"latency.extensions", "20", "5", "(a) extensions to cause: the guest writes (N + 1) chunks"},
            {"latency.policies", "headroom,vdsm-policy", "headroom,vdsm-policy",
                    "(a) policies: headroom|default, adaptive, vdsm-policy"},
            {"sweep.chunk.mib", "64", "64", "(b) chunk, MiB"},
            {"sweep.rates", "50,100,150,0", "100,0", "(b) guest rates, MiB/s (0 = unthrottled), tried in order until one pauses"},
            {"sweep.extensions", "20", "5", "(b) extensions to cause per run: the guest writes (N + 1) chunks"},
            {"sweep.policies", "default,adaptive,vdsm-policy", "default,adaptive,vdsm-policy", "(b) policies"},
            {"sweep.limit.runs", "1", "1", "(b) runs into a fully allocated volume (the limit) before the policies"},
            {"sweep.limit.paired", "true", "true", "(b) also a limit run right before each unthrottled run of a policy; "
                    + "the limit is the median of all limit runs"},
            {"sweep.max.repeats", "3", "1", "(b) unthrottled runs per policy (each paired with a limit run); their median counts"},
            {"sweep.adaptive.min.watermark.mib", "51", "51", "(b) the adaptive policy's minWatermark, MiB"},
            {"chunks.list", "8,16,32,64,128", "16,64", "(c) chunks, MiB, tried from small to large until one has no pause"},
            {"chunks.extensions", "20", "5", "(c) extensions to cause per run: the guest writes (N + 1) chunks"},
            {"chunks.policies", "default,adaptive,vdsm-policy", "default,adaptive,vdsm-policy", "(c) policies"},
            {"chunks.adaptive.watermark.percent", "80", "80", "(c) the adaptive policy's minWatermark, % of the chunk"},
            {"adaptive.safety", "4", "4", "the adaptive policy's safety factor"},
            {"adaptive.horizon.s", "4", "4", "the adaptive policy's horizon, seconds"},
            {"spm.workers", "2", "2", "SPM extend worker threads"},
            {"spm.max.host.id", "250", "250", "the SPM's max_host_id"},
            {"host.id", "2", "2", "this host's id in the mailbox"},
            {"monitor.check.ms", "2000", "2000", "the volume monitor's periodic check"},
            {"console.ms", "10", "10", "how often the harness reads the guest's console"},
            {"guest.timeout.s", "180", "120", "give up on a guest run after this plus 3 x its size at its rate (100 MiB/s if 0)"},
            {"check", "true", "true", "qemu-img check each image after its guest is gone"},
            {"plot.window.s", "0.25", "0.25", "bins of the write rate in the plot, seconds"},
            {"log", "warn", "warn", "level of the agent's own log (slf4j-simple): warn, info, debug"},
    });

    private final BenchOptions options;
    private GuestRunner guests;

    private ThinExtendBenchmark(BenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parseOrExit("ThinExtendBenchmark", args, KEYS, "thinextend");
        if (options == null) {
            return;
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // The monitor and the QMP connection log every extension and event at INFO.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.get("log"));
        }
        String level = System.getProperty("org.slf4j.simpleLogger.defaultLogLevel");
        System.setErr(new PrintStream(new GuestRunner.ExpectedLossFilter(System.err, Set.of("info", "debug", "trace").contains(level)),
                true, StandardCharsets.UTF_8));
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.exit(new ThinExtendBenchmark(options).run());
    }

    private ExtendSetup setup(String id, long chunk, long minWatermark) {
        return ExtendSetup.named(id, chunk, options.integer("utilization"), minWatermark, options.decimal("adaptive.safety"),
                options.decimal("adaptive.horizon.s"));
    }

    // ---------------------------------------------------------------------------------------------
    // The run

    private int run() throws Exception {
        long runStart = System.nanoTime();
        Path root = Path.of(options.get("root"));
        String fsType = BenchSupport.directIoFileSystem("ThinExtendBenchmark", root);
        if (fsType == null) {
            return 2;
        }
        for (String p : List.of(Lab.QEMU, Lab.QEMU_IMG, Lab.GUEST_KERNEL.toString(), Lab.GUEST_INITRD.toString(), "/dev/loop-control")) {
            if (!Files.exists(Path.of(p))) {
                System.err.println("ThinExtendBenchmark: " + p + " is missing: run lab/install.sh (as root)");
                return 2;
            }
        }
        Path base = Files.createTempDirectory(root, "hr-te-");
        guests = new GuestRunner(options, base);
        Thread cleaner = new Thread(() -> {
            guests.closeAll();
            deleteTree(base);
        }, "thin-extend-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleaner); // an interrupted run leaves no QEMU, loop device or file

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "thin-extend");
        results.put("started", Instant.now().toString());
        results.put("config", options.all());
        Map<String, Object> environment = BenchSupport.environment(root, fsType);
        environment.put("qemu", firstLine(Lab.QEMU, "--version"));
        results.put("environment", environment);
        Map<String, Object> scenarios = new LinkedHashMap<>();
        results.put("scenarios", scenarios);
        List<RunResult> latency = List.of();
        Sweep sweep = null;
        Chunks chunks = null;
        boolean failed = false;

        System.out.printf("thin-extend benchmark (%s): domains under %s (%s), load average %s%n", options.get("mode"), base,
                fsType, loadAverage());
        try {
            for (String scenario : options.names("scenarios")) {
                long start = System.nanoTime();
                switch (scenario) {
                    case "latency" -> {
                        latency = latency();
                        scenarios.put("latency", Map.of("runs", latency.stream().map(RunResult::json).toList()));
                    }
                    case "sweep" -> {
                        sweep = sweep();
                        scenarios.put("sweep", sweep.json());
                    }
                    case "chunks" -> {
                        chunks = chunks();
                        scenarios.put("chunks", chunks.json());
                    }
                    default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (latency, sweep, chunks)");
                }
                System.out.printf("   (%s: %.0f s)%n", scenario, (System.nanoTime() - start) / 1e9);
            }
        } catch (RuntimeException e) {
            if (guests.stopped()) {
                return 130;
            }
            failed = true;
            System.out.println("FAILED: " + e);
            e.printStackTrace(System.out);
            results.put("error", e.toString());
        } finally {
            deleteTree(base);
            try {
                Runtime.getRuntime().removeShutdownHook(cleaner);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }

        ThinExtendReport report = new ThinExtendReport(latency, sweep, chunks, options.integer("latency.chunk.mib"),
                options.integer("utilization"), options.integer("latency.extensions"));
        List<String> oddities = report.oddities();
        results.put("goals", report.goals());
        results.put("oddities", oddities);
        results.put("load_average_end", loadAverage());
        results.put("run_seconds", round((System.nanoTime() - runStart) / 1e9));
        System.out.println();
        System.out.print(report.tables());
        if (!oddities.isEmpty()) {
            System.out.println("\nworth a look:");
            oddities.forEach(o -> System.out.println("  - " + o));
        }
        System.out.printf("%nrun time %.1f s (%d guest runs); load average %s at the start, %s at the end%n",
                (System.nanoTime() - runStart) / 1e9, guests.runs(), environment.get("load_average_start"), loadAverage());
        String svg = options.get("svg");
        if (!svg.isEmpty() && !latency.isEmpty()) {
            Files.writeString(Path.of(svg), new ThinExtendPlot(latency, sweep == null ? null : sweep.limitRate(),
                    options.decimal("plot.window.s"), options.integer("latency.chunk.mib"), options.integer("utilization")).svg());
            System.out.println("plot: " + svg);
        }
        String json = options.get("json");
        if (!json.isEmpty()) {
            BenchSupport.writeJson(Path.of(json), results);
            System.out.println("raw results: " + json);
        }
        boolean runFailed = report.all().stream().anyMatch(r -> r.error != null);
        return failed || runFailed ? 1 : 0;
    }

    private static String firstLine(String... command) {
        try {
            return Lab.run(command).lines().findFirst().orElse("?");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // (a) latency

    private List<RunResult> latency() {
        int chunkMiB = options.integer("latency.chunk.mib");
        int size = (options.integer("latency.extensions") + 1) * chunkMiB;
        List<RunResult> results = new ArrayList<>();
        System.out.printf("-- (a) latency: chunk %d MiB at %d %%, guest at full rate writing %d MiB%n",
                chunkMiB, options.integer("utilization"), size);
        for (String id : options.names("latency.policies")) {
            long chunk = chunkMiB * MIB;
            results.add(guests.run("latency", id, setup(id, chunk, chunk * 80 / 100), size, 0, false));
        }
        return results;
    }

    // ---------------------------------------------------------------------------------------------
    // (b) rate sweep

    private Sweep sweep() {
        long chunk = options.integer("sweep.chunk.mib") * MIB;
        int size = (options.integer("sweep.extensions") + 1) * options.integer("sweep.chunk.mib");
        List<Integer> rates = options.integers("sweep.rates");
        int limitRuns = Math.max(0, options.integer("sweep.limit.runs"));
        boolean paired = options.flag("sweep.limit.paired");
        int repeats = Math.max(1, options.integer("sweep.max.repeats"));
        System.out.printf("-- (b) rate sweep: chunk %d MiB at %d %%, %d MiB per run, rates %s MiB/s (0 = unthrottled)%n",
                chunk / MIB, options.integer("utilization"), size, rates);
        ExtendSetup limitSetup = setup("default", chunk, 0);
        List<RunResult> limit = new ArrayList<>();
        for (int i = 0; i < limitRuns; i++) {
            limit.add(guests.run("sweep", "limit", limitSetup, size, 0, true));
        }

        Map<String, SweepPolicy> perPolicy = new LinkedHashMap<>();
        for (String id : options.names("sweep.policies")) {
            ExtendSetup s = setup(id, chunk, options.integer("sweep.adaptive.min.watermark.mib") * MIB);
            List<RunResult> tried = new ArrayList<>();
            List<RunResult> best = null;
            String stoppedBy = null;
            List<Double> pairRatios = new ArrayList<>();
            for (int rate : rates) {
                // Unthrottled, the guest's rate is noisy from run to run (TCG): each run is paired with a
                // limit run right before it, and repeated.
                List<RunResult> here = new ArrayList<>();
                for (int k = 0; k < (rate == 0 ? repeats : 1); k++) {
                    RunResult adjacent = null;
                    if (rate == 0 && paired) {
                        adjacent = guests.run("sweep", "limit", limitSetup, size, 0, true);
                        limit.add(adjacent);
                    }
                    RunResult r = guests.run("sweep", id + "@" + ScenarioResults.rateName(rate), s, size, rate, false);
                    here.add(r);
                    tried.add(r);
                    if (!r.clean()) {
                        break;
                    }
                    if (adjacent != null && adjacent.error == null && adjacent.guestRate != null && r.guestRate != null) {
                        pairRatios.add(100 * r.guestRate / adjacent.guestRate);
                    }
                }
                RunResult unclean = here.stream().filter(r -> !r.clean()).findFirst().orElse(null);
                if (unclean != null) {
                    stoppedBy = ScenarioResults.rateName(rate) + ": " + (unclean.error != null
                            ? "error " + unclean.error.lines().findFirst().orElse("") : unclean.pauses() + " pauses");
                    break;
                }
                best = here;
            }
            perPolicy.put(id, new SweepPolicy(s, tried, best, stoppedBy, pairRatios));
        }
        return new Sweep(chunk / MIB, size, rates, repeats, limit, perPolicy);
    }

    // ---------------------------------------------------------------------------------------------
    // (c) smallest chunk without a pause

    private Chunks chunks() {
        List<Integer> list = options.integers("chunks.list").stream().sorted().toList();
        int n = options.integer("chunks.extensions");
        int percent = options.integer("chunks.adaptive.watermark.percent");
        System.out.printf("-- (c) smallest chunk with no pause at full rate: chunks %s MiB, %d extensions' worth each%n", list, n);
        Map<String, ChunksPolicy> perPolicy = new LinkedHashMap<>();
        for (String id : options.names("chunks.policies")) {
            List<RunResult> tried = new ArrayList<>();
            Integer smallest = null;
            String mailbox = null;
            for (int c : list) {
                long chunk = c * MIB;
                ExtendSetup s = setup(id, chunk, chunk * percent / 100);
                mailbox = s.mailbox().name();
                RunResult r = guests.run("chunks", id + "@" + c + "MiB", s, (n + 1) * c, 0, false);
                r.chunkMiB = c;
                tried.add(r);
                if (r.clean()) {
                    smallest = c;
                    break;
                }
            }
            perPolicy.put(id, new ChunksPolicy(mailbox, tried, smallest));
        }
        return new Chunks(list, n, perPolicy);
    }
}
