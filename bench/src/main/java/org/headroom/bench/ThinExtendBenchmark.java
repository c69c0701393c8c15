package org.headroom.bench;

import static org.headroom.bench.BenchSupport.deleteTree;
import static org.headroom.bench.BenchSupport.loadAverage;
import static org.headroom.bench.BenchSupport.percentile;
import static org.headroom.bench.BenchSupport.round;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.internal.HostMailbox;
import org.headroom.mailbox.internal.MailboxPolicy;
import org.headroom.mailbox.internal.MailboxStats;
import org.headroom.mailbox.internal.SpmMailbox;
import org.headroom.qmp.internal.QemuHypervisor;
import org.headroom.qmp.internal.QemuVmConnection;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Lab;
import org.headroom.testing.QemuProcess;
import org.headroom.testing.TestGuest;
import org.headroom.thinextend.internal.AdaptivePolicy;
import org.headroom.thinextend.internal.ChunkPolicy;
import org.headroom.thinextend.internal.DriveMonitor;
import org.headroom.thinextend.internal.ExtensionPolicy;
import org.headroom.thinextend.internal.Learned;
import org.headroom.thinextend.internal.VolumeMonitor;

/**
 * Automatic extension of thin disks end to end, Headroom's policies against VDSM's in one run:
 * real QEMU running the real test guest (which writes with {@code dd oflag=direct} into a thin
 * qcow2 on a loop-device volume of a storage domain), one non-SPM host agent ({@link QemuHypervisor}
 * + {@link QemuVmConnection}, {@link VolumeMonitor}, {@link HostMailbox} host id 2) and the SPM
 * ({@link SpmMailbox}) in this JVM, so that every extension travels the real mailbox (direct I/O)
 * under {@code /var/tmp}. Every guest run gets a fresh domain, volume, SPM, host mailbox and monitor.
 *
 * <ol>
 * <li><b>latency</b>: chunk 128 MiB at 20 %, the guest at full rate writing (N + 1) chunks, so that
 *     it causes N + 1 extensions; per policy the monitor's extension latency (threshold event →
 *     refreshed and re-armed) p50/p99/max, extensions, pauses (ENOSPC).
 * <li><b>sweep</b>: chunk 64 MiB at 20 %: the guest at rising rates until a run pauses; each
 *     policy's highest rate without a pause, against the limit (the same write into a volume that
 *     is fully allocated, so that nothing is extended).
 * <li><b>chunks</b>: the guest at full rate: the smallest chunk with no pause, per policy.
 * </ol>
 *
 * <p>Latencies are the {@link VolumeMonitor}'s own (its logged "total"): the harness reads the
 * drive's last latency from {@link VolumeMonitor#volumes()} every few ms and keeps one sample per
 * new extension, and checks its percentiles against the monitor's {@code ExtensionStats}; the
 * monitor's breakdown of each (wait, extend, refresh) is read off its log. The monitor's total ends
 * when the refreshed drive has been read, before the threshold is set again, so the harness also
 * times event → re-armed itself, with a pass-through {@link Hypervisor} that notes when each
 * arming completes ({@code ArmTimer}). Pauses
 * are {@link DriveEvent.OutOfSpace} events (BLOCK_IO_ERROR nospace), and, as QEMU rate-limits those,
 * VM stops ({@link DriveEvent.Paused}) are counted as well: "0 pauses" means none of either.
 *
 * <p>Not JMH: each guest run is one long measurement of a system with its own clocks. Run with
 * {@code bench/run-thin-extend.sh [--quick] [--key value ...]}; {@code --help} lists the keys, each
 * also settable as {@code -Dthinextend.<key>=value}.
 */
public final class ThinExtendBenchmark {
    private static final long MIB = 1 << 20;
    private static final String VM = "guest";
    private static final Pattern PROGRESS = Pattern.compile("hr: progress (\\d+)/(\\d+) MiB t=(\\d+)cs");
    private static final Pattern DONE = Pattern.compile(
            "hr: DONE rc=(\\d+)(?: wrote=(\\d+)MiB elapsed=([0-9.]+)s rate=(\\d+)MiB/s)?");
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"};

    private static final Pattern EXTENDED = Pattern.compile(
            "VolumeMonitor - extended .*: wait ([0-9.]+) ms, extend ([0-9.]+) ms, refresh ([0-9.]+) ms, total ([0-9.]+) ms");
    /** Where the monitor's "extended ..." log lines of the run in progress go: wait, extend, refresh, total (ms). */
    private static volatile List<double[]> breakdownSink;
    /** The guest of the run in progress is done: its QMP connection ending is expected. */
    private static volatile boolean guestDone;

    /** Resources of runs in progress: the shutdown hook closes them should the JVM be stopped. */
    private static final Deque<Resources> LIVE = new ConcurrentLinkedDeque<>();
    private static volatile boolean shuttingDown;

    /** The settings, with their full-run and {@code --quick} defaults. */
    private static final String[][] KEYS = {
            // key, full, quick, meaning
            {"scenarios", "latency,sweep,chunks", "latency,sweep,chunks", "which scenarios to run, in this order"},
            {"root", "/var/tmp", "/var/tmp", "directory under which the domains are made (not tmpfs: direct I/O)"},
            {"json", "", "", "file to write the raw results to (JSON); none when empty"},
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
            {"extend.timeout.ms", "2000", "2000", "the monitor asks again when an extension takes longer"},
            {"extend.attempts", "5", "5", "the monitor's attempts per extension"},
            {"sample.ms", "10", "10", "how often the harness reads the monitor's per-drive last latency"},
            {"console.ms", "10", "10", "how often the harness reads the guest's console"},
            {"guest.timeout.s", "180", "120", "give up on a guest run after this plus 3 x its size at its rate (100 MiB/s if 0)"},
            {"check", "true", "true", "qemu-img check each image after its guest is gone"},
            {"plot.window.s", "0.25", "0.25", "bins of the write rate in the plot, seconds"},
            {"log", "warn", "warn", "level of the agent's own log (slf4j-simple): warn, info, debug"},
    };

    private final Map<String, String> config;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private Path base;
    private int runs;
    private final List<String> oddities = new ArrayList<>();

    private ThinExtendBenchmark(Map<String, String> config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ThinExtendBenchmark: " + e.getMessage());
            System.err.print(usage());
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.print(usage());
            return;
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // The monitor and the QMP connection log every extension and event at INFO.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", config.get("log"));
        }
        String level = System.getProperty("org.slf4j.simpleLogger.defaultLogLevel");
        boolean echoInfo = Set.of("info", "debug", "trace").contains(level);
        // The monitor's "extended ..." lines (wait, extend, refresh, total) are read off its log,
        // and shown only at level info: the monitor logs at INFO whatever the level of the rest.
        System.setProperty("org.slf4j.simpleLogger.log.org.headroom.thinextend.internal.VolumeMonitor", echoInfo ? level : "info");
        System.setErr(new PrintStream(new LogTap(System.err, echoInfo), true, StandardCharsets.UTF_8));
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.exit(new ThinExtendBenchmark(config).run());
    }

    // ---------------------------------------------------------------------------------------------
    // Configuration

    private static Map<String, String> parse(String[] args) {
        return BenchOptions.parse(args, KEYS, "thinextend");
    }

    private static String usage() {
        return BenchOptions.usage("ThinExtendBenchmark", KEYS, "thinextend");
    }

    private int integer(String key) {
        return Integer.parseInt(config.get(key).trim());
    }

    private double decimal(String key) {
        return Double.parseDouble(config.get(key).trim());
    }

    private List<Integer> integers(String key) {
        return Arrays.stream(config.get(key).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Integer::parseInt).toList();
    }

    private List<String> names(String key) {
        return Arrays.stream(config.get(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    // ---------------------------------------------------------------------------------------------
    // Policies

    /** What a run is measured with: the volume monitor's policy and the mailbox's, on both sides. */
    record Setup(String id, ExtensionPolicy policy, MailboxPolicy mailbox) {
        String describe() {
            String p = policy instanceof ChunkPolicy c
                    ? String.format(Locale.ROOT, "ChunkPolicy(%s MiB, %d %%)", mib(c.chunk()), c.utilizationPercent())
                    : policy instanceof AdaptivePolicy a
                    ? String.format(Locale.ROOT, "AdaptivePolicy(minChunk %s MiB, maxChunk %s MiB, minWatermark %s MiB, "
                            + "safety %s, horizon %s s)", mib(a.minChunk()), mib(a.maxChunk()), mib(a.minWatermark()),
                    a.safety(), a.horizonSeconds())
                    : policy.toString();
            return p + " + MailboxPolicy." + mailbox.name().toUpperCase(Locale.ROOT);
        }
    }

    /** The named policy at chunk {@code chunk}; the adaptive one keeps at least {@code minWatermark}. */
    private Setup setup(String id, long chunk, long minWatermark) {
        int utilization = integer("utilization");
        return switch (id) {
            case "headroom", "default" -> new Setup(id, new ChunkPolicy(chunk, utilization), MailboxPolicy.HEADROOM);
            case "adaptive" -> new Setup(id, new AdaptivePolicy(chunk, chunk, minWatermark, decimal("adaptive.safety"),
                    decimal("adaptive.horizon.s")), MailboxPolicy.HEADROOM);
            case "vdsm-policy", "vdsm" -> new Setup(id, new ChunkPolicy(chunk, utilization), MailboxPolicy.VDSM);
            default -> throw new IllegalArgumentException("unknown policy " + id + " (headroom|default, adaptive, vdsm-policy)");
        };
    }

    // ---------------------------------------------------------------------------------------------
    // The run

    private int run() throws Exception {
        long runStart = System.nanoTime();
        Path root = Path.of(config.get("root"));
        Files.createDirectories(root);
        String fsType = Files.getFileStore(root).type();
        if (fsType.equals("tmpfs")) {
            System.err.println("ThinExtendBenchmark: " + root + " is on tmpfs, which has no direct I/O; use --root on a disk file system");
            return 2;
        }
        for (String p : List.of(Lab.QEMU, Lab.QEMU_IMG, Lab.GUEST_KERNEL.toString(), Lab.GUEST_INITRD.toString(), "/dev/loop-control")) {
            if (!Files.exists(Path.of(p))) {
                System.err.println("ThinExtendBenchmark: " + p + " is missing: run lab/install.sh (as root)");
                return 2;
            }
        }
        base = Files.createTempDirectory(root, "hr-te-");
        Thread cleaner = new Thread(() -> {
            shuttingDown = true;
            for (Resources r; (r = LIVE.pollFirst()) != null; ) {
                try {
                    r.close();
                } catch (Exception e) {
                    System.err.println("ThinExtendBenchmark: cleaning up: " + e);
                }
            }
            deleteTree(base);
        }, "thin-extend-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleaner); // an interrupted run leaves no QEMU, loop device or file

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "thin-extend");
        report.put("started", Instant.now().toString());
        report.put("config", config);
        report.put("environment", environment(root, fsType));
        Map<String, Object> scenarios = new LinkedHashMap<>();
        report.put("scenarios", scenarios);
        List<RunResult> latencyRuns = new ArrayList<>();
        Map<String, Object> sweep = null;
        Map<String, Object> chunks = null;
        boolean failed = false;

        System.out.printf("thin-extend benchmark (%s): domains under %s (%s), load average %s%n", config.get("mode"), base,
                fsType, loadAverage());
        try {
            for (String scenario : names("scenarios")) {
                long start = System.nanoTime();
                switch (scenario) {
                    case "latency" -> {
                        latencyRuns = latency();
                        scenarios.put("latency", Map.of("runs", latencyRuns.stream().map(RunResult::json).toList()));
                    }
                    case "sweep" -> {
                        sweep = sweep();
                        scenarios.put("sweep", sweep);
                    }
                    case "chunks" -> {
                        chunks = chunks();
                        scenarios.put("chunks", chunks);
                    }
                    default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (latency, sweep, chunks)");
                }
                System.out.printf("   (%s: %.0f s)%n", scenario, (System.nanoTime() - start) / 1e9);
            }
        } catch (RuntimeException e) {
            if (shuttingDown) {
                return 130;
            }
            failed = true;
            System.out.println("FAILED: " + e);
            e.printStackTrace(System.out);
            report.put("error", e.toString());
        } finally {
            deleteTree(base);
            try {
                Runtime.getRuntime().removeShutdownHook(cleaner);
            } catch (IllegalStateException shuttingDownAlready) {
                // the hook runs anyway
            }
        }

        List<Map<String, Object>> goals = goals(latencyRuns, sweep);
        report.put("goals", goals);
        StringBuilder tables = new StringBuilder();
        if (!latencyRuns.isEmpty()) {
            tables.append(latencyTable(latencyRuns)).append('\n');
        }
        if (sweep != null) {
            tables.append(sweepTable(sweep)).append('\n');
        }
        if (chunks != null) {
            tables.append(chunksTable(chunks)).append('\n');
        }
        tables.append(goalsTable(goals));
        List<RunResult> all = allRuns(latencyRuns, sweep, chunks);
        collectOddities(all);
        report.put("oddities", oddities);
        report.put("load_average_end", loadAverage());
        report.put("run_seconds", round((System.nanoTime() - runStart) / 1e9));
        System.out.println();
        System.out.print(tables);
        if (!oddities.isEmpty()) {
            System.out.println("\nworth a look:");
            oddities.forEach(o -> System.out.println("  - " + o));
        }
        System.out.printf("%nrun time %.1f s (%d guest runs); load average %s at the start, %s at the end%n",
                (System.nanoTime() - runStart) / 1e9, runs,
                ((Map<?, ?>) report.get("environment")).get("load_average_start"), loadAverage());
        String svg = config.get("svg");
        if (!svg.isEmpty() && !latencyRuns.isEmpty()) {
            Files.writeString(Path.of(svg), plot(latencyRuns, sweep));
            System.out.println("plot: " + svg);
        }
        String jsonFile = config.get("json");
        if (!jsonFile.isEmpty()) {
            json.writeValue(Path.of(jsonFile).toFile(), withoutTyped(report));
            System.out.println("raw results: " + jsonFile);
        }
        boolean runFailed = all.stream().anyMatch(r -> r.error != null);
        return failed || runFailed ? 1 : 0;
    }

    // ---------------------------------------------------------------------------------------------
    // (a) latency

    private List<RunResult> latency() throws Exception {
        long chunk = integer("latency.chunk.mib") * MIB;
        int size = (integer("latency.extensions") + 1) * integer("latency.chunk.mib");
        List<RunResult> results = new ArrayList<>();
        System.out.printf("-- (a) latency: chunk %d MiB at %d %%, guest at full rate writing %d MiB%n",
                chunk / MIB, integer("utilization"), size);
        for (String id : names("latency.policies")) {
            Setup s = setup(id, chunk, chunk * 80 / 100);
            results.add(guestRun("latency", id, s, size, 0, false));
        }
        return results;
    }

    // ---------------------------------------------------------------------------------------------
    // (b) rate sweep

    private Map<String, Object> sweep() throws Exception {
        long chunk = integer("sweep.chunk.mib") * MIB;
        int size = (integer("sweep.extensions") + 1) * integer("sweep.chunk.mib");
        List<Integer> rates = integers("sweep.rates");
        int limitRuns = Math.max(0, integer("sweep.limit.runs"));
        boolean paired = Boolean.parseBoolean(config.get("sweep.limit.paired"));
        int repeats = Math.max(1, integer("sweep.max.repeats"));
        System.out.printf("-- (b) rate sweep: chunk %d MiB at %d %%, %d MiB per run, rates %s MiB/s (0 = unthrottled)%n",
                chunk / MIB, integer("utilization"), size, rates);
        Setup limitSetup = setup("default", chunk, 0);
        List<RunResult> limit = new ArrayList<>();
        for (int i = 0; i < limitRuns; i++) {
            limit.add(guestRun("sweep", "limit", limitSetup, size, 0, true));
        }

        Map<String, Object> perPolicy = new LinkedHashMap<>();
        for (String id : names("sweep.policies")) {
            Setup s = setup(id, chunk, integer("sweep.adaptive.min.watermark.mib") * MIB);
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
                        adjacent = guestRun("sweep", "limit", limitSetup, size, 0, true);
                        limit.add(adjacent);
                    }
                    RunResult r = guestRun("sweep", id + "@" + rateName(rate), s, size, rate, false);
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
                    stoppedBy = rateName(rate) + ": " + (unclean.error != null ? "error " + unclean.error.lines().findFirst().orElse("")
                            : unclean.pauses() + " pauses");
                    break;
                }
                best = here;
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("setup", s.describe());
            p.put("best_rate_setting", best == null ? null : best.get(0).rate);
            p.put("best_rate_setting_name", best == null ? "none" : rateName(best.get(0).rate));
            p.put("best_achieved_mib_s", best == null ? null : medianRate(best));
            p.put("best_achieved_runs_mib_s", best == null ? List.of() : best.stream().map(r -> r.guestRate).toList());
            p.put("stopped_by", stoppedBy);
            p.put("paused_at", tried.stream().filter(t -> t.pauses() > 0).map(t -> rateName(t.rate)).findFirst().orElse(null));
            boolean bestUnthrottled = best != null && best.get(0).rate == 0;
            p.put("paired_percent_of_limit", pairRatios.stream().map(BenchSupport::round).toList());
            p.put("best_percent_of_paired_limit_median", bestUnthrottled && !pairRatios.isEmpty()
                    ? round(median(pairRatios.stream().mapToDouble(Double::doubleValue).sorted().toArray())) : null);
            p.put("runs", tried.stream().map(RunResult::json).toList());
            p.put("results", tried);
            perPolicy.put(id, p);
        }
        Double limitRate = medianRate(limit);
        for (Object o : perPolicy.values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> p = (Map<String, Object>) o;
            Double best = (Double) p.get("best_achieved_mib_s");
            p.put("best_percent_of_limit", best == null || limitRate == null ? null : round(100 * best / limitRate));
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("chunk_mib", chunk / MIB);
        s.put("size_mib", size);
        s.put("rates", rates);
        s.put("max_repeats", repeats);
        s.put("limit_mib_s", limitRate);
        s.put("limit_runs_mib_s", limit.stream().map(r -> r.error == null ? r.guestRate : null).toList());
        s.put("limit_runs", limit.stream().map(RunResult::json).toList());
        s.put("limit_results", limit);
        s.put("policies", perPolicy);
        return s;
    }

    /** The median of the guest's rates of the runs that finished; null if none did. */
    private static Double medianRate(List<RunResult> runs) {
        double[] rates = runs.stream().filter(r -> r.error == null && r.guestRate != null).mapToDouble(r -> r.guestRate)
                .sorted().toArray();
        return rates.length == 0 ? null : round(median(rates));
    }

    private static String rateName(int rate) {
        return rate == 0 ? "max" : rate + "MiB/s";
    }

    // ---------------------------------------------------------------------------------------------
    // (c) smallest chunk without a pause

    private Map<String, Object> chunks() throws Exception {
        List<Integer> list = integers("chunks.list").stream().sorted().toList();
        int n = integer("chunks.extensions");
        int percent = integer("chunks.adaptive.watermark.percent");
        System.out.printf("-- (c) smallest chunk with no pause at full rate: chunks %s MiB, %d extensions' worth each%n", list, n);
        Map<String, Object> perPolicy = new LinkedHashMap<>();
        for (String id : names("chunks.policies")) {
            List<RunResult> tried = new ArrayList<>();
            Integer smallest = null;
            for (int c : list) {
                long chunk = c * MIB;
                Setup s = setup(id, chunk, chunk * percent / 100);
                RunResult r = guestRun("chunks", id + "@" + c + "MiB", s, (n + 1) * c, 0, false);
                r.chunkMiB = c;
                tried.add(r);
                if (r.clean()) {
                    smallest = c;
                    break;
                }
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("mailbox", setup(id, MIB * list.get(0), MIB * list.get(0) * percent / 100).mailbox().name());
            p.put("smallest_chunk_mib", smallest);
            p.put("runs", tried.stream().map(RunResult::json).toList());
            p.put("results", tried);
            perPolicy.put(id, p);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("chunks_mib", list);
        s.put("extensions", n);
        s.put("policies", perPolicy);
        return s;
    }

    // ---------------------------------------------------------------------------------------------
    // One guest run

    /**
     * Boots the guest paused on a fresh thin volume, lets the agent attach and arm, resumes it, and
     * watches until it is done: its console (progress and DONE lines, stamped with this host's
     * clock), the hypervisor's events, and the monitor's per-extension latency.
     */
    private RunResult guestRun(String scenario, String label, Setup setup, int sizeMiB, int rate, boolean preallocated) {
        RunResult r = new RunResult(scenario, label, setup, sizeMiB, rate, preallocated);
        long started = System.nanoTime();
        guestDone = false;
        breakdownSink = r.breakdown;
        Resources res = new Resources();
        runs++;
        try {
            runGuest(r, res);
        } catch (Exception | AssertionError e) {
            if (r.error == null) {
                r.error = e.toString();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            try {
                res.close();
            } catch (Exception e) {
                r.warnings.add("clean-up: " + e);
            }
        }
        breakdownSink = null;
        r.runSeconds = round((System.nanoTime() - started) / 1e9);
        if (shuttingDown) {
            throw new IllegalStateException("interrupted: the shutdown hook has cleaned up");
        }
        System.out.println("   " + r.brief());
        return r;
    }

    private void runGuest(RunResult r, Resources res) throws Exception {
        ExtensionPolicy policy = r.setup.policy();
        MailboxPolicy mailbox = r.setup.mailbox();
        Path dir = Files.createDirectory(base.resolve(String.format("r%02d", runs)));
        res.add(() -> deleteTree(dir));

        // The storage: one domain, one thin volume active here as a loop device, a qcow2 in it.
        FileStorageDomain domain = FileStorageDomain.create(dir, UUID.randomUUID(), "loop");
        VolumeRef volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        long capacity = integer("capacity.mib") * MIB;
        long initial = r.preallocated ? policy.maxSize(capacity) : policy.initialSize(capacity, Learned.NOTHING);
        r.initialMiB = initial / MIB;
        domain.volumes().create(volume, initial);
        alive();
        res.add(() -> domain.volumes().deactivate(volume));
        Path device = domain.volumes().activate(volume);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", device.toString(), Long.toString(capacity));

        // The SPM and this host's side of the mailbox, both with the run's mailbox policy.
        SpmMailbox spm = res.add(new SpmMailbox(domain, mailbox, integer("spm.max.host.id"), integer("spm.workers")));
        spm.start();
        ScheduledExecutorService hostThread = res.add(new ExecutorCloser(
                Executors.newSingleThreadScheduledExecutor(daemon("bench-host-mailbox"))));
        HostMailbox host = res.add(new HostMailbox(integer("host.id"), domain.uuid(), domain.inbox(), domain.outbox(),
                mailbox, 63, hostThread));
        host.start();

        // The agent, wired as the bundles' components wire it in Karaf (see thin-extend's e2e Agent).
        QemuHypervisor hypervisor = new QemuHypervisor();
        StorageDomains storage = StorageDomains.of(Path.of("/run/headroom/storage"), domain);
        ScheduledExecutorService monitorThread = res.add(new ExecutorCloser(
                Executors.newSingleThreadScheduledExecutor(daemon("bench-volume-monitor"))));
        ExecutorService blocking = Executors.newFixedThreadPool(2, daemon("bench-monitor-blocking-"));
        res.add(blocking::shutdownNow);
        VolumeMonitor monitor = new VolumeMonitor(policy,
                new DriveMonitor.Settings(TimeUnit.MILLISECONDS.toNanos(integer("extend.timeout.ms")), integer("extend.attempts")),
                host, storage, TimeUnit.MILLISECONDS.toNanos(integer("monitor.check.ms")), monitorThread, blocking,
                System::nanoTime);
        res.add(monitor);
        monitor.start();
        ArmTimer armTimer = new ArmTimer(hypervisor);
        monitor.addHypervisor(armTimer);
        List<TimedEvent> events = new CopyOnWriteArrayList<>();
        res.add(hypervisor.subscribe(e -> {
            long now = System.nanoTime();
            events.add(new TimedEvent(now, e));
            if (e instanceof DriveEvent.ThresholdCrossed || e instanceof DriveEvent.OutOfSpace) {
                armTimer.triggered(now);
            }
        }));

        // The guest, paused (-S) until the monitor has armed the drive.
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(device.toString()));
        args.addAll(TestGuest.args("q0", r.sizeMiB, r.rate, false));
        args.add("-S");
        Path vmDir = Files.createDirectory(dir.resolve("vm"));
        alive();
        QemuProcess qemu = res.add(QemuProcess.start(vmDir, args));
        QemuVmConnection connection = res.add(QemuVmConnection.attach(VM, qemu.qmpSocket(), Duration.ofSeconds(10),
                Duration.ofMillis(500)));
        hypervisor.bindVm(connection);
        Set<String> ready = r.preallocated ? Set.of("disabled") : Set.of("armed", "extending");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<VolumeMonitor.VolumeStatus> list = monitor.volumes().get(10, TimeUnit.SECONDS);
            if (!list.isEmpty() && ready.contains(list.get(0).state())) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the monitor did not get the drive " + ready + " within 30 s: " + list);
            }
            Thread.sleep(20);
        }
        Sampler sampler = new Sampler(monitor);
        ScheduledExecutorService sampling = res.add(new ExecutorCloser(
                Executors.newSingleThreadScheduledExecutor(daemon("bench-sampler"))));
        sampling.scheduleWithFixedDelay(sampler::tick, 0, integer("sample.ms"), TimeUnit.MILLISECONDS);

        long resumed = System.nanoTime();
        hypervisor.resume(VM).toCompletableFuture().get(10, TimeUnit.SECONDS);
        ConsoleTail console = new ConsoleTail(vmDir.resolve("console.log"));
        double expected = r.sizeMiB / (double) (r.rate > 0 ? r.rate : 100);
        long timeout = TimeUnit.SECONDS.toNanos(integer("guest.timeout.s")) + (long) (3 * expected * 1e9);
        Long startLine = null;
        Long doneLine = null;
        List<double[]> progress = new ArrayList<>(); // host ns, guest cs, MiB
        int consoleMs = integer("console.ms");
        while (doneLine == null) {
            boolean exited = !qemu.alive();
            for (ConsoleTail.Line line : console.poll()) {
                String text = line.text();
                Matcher m;
                if (text.startsWith("hr: start") && startLine == null) {
                    startLine = line.nanos();
                } else if ((m = PROGRESS.matcher(text)).find()) {
                    progress.add(new double[] {line.nanos(), Long.parseLong(m.group(3)), Long.parseLong(m.group(1))});
                } else if ((m = DONE.matcher(text)).find()) {
                    doneLine = line.nanos();
                    guestDone = true;
                    r.rc = Integer.parseInt(m.group(1));
                    if (m.group(2) != null) {
                        r.wroteMiB = Integer.parseInt(m.group(2));
                        r.guestElapsed = Double.parseDouble(m.group(3));
                        r.guestRate = (double) Integer.parseInt(m.group(4));
                    }
                } else if (text.startsWith("hr: write error")) {
                    r.warnings.add("guest: " + text.strip());
                }
            }
            if (doneLine != null) {
                break;
            }
            if (exited) {
                throw new IllegalStateException("QEMU exited before the guest was done; console:\n" + console.tail(15));
            }
            if (System.nanoTime() - resumed > timeout) {
                List<VolumeMonitor.VolumeStatus> st = monitor.volumes().get(10, TimeUnit.SECONDS);
                r.error = String.format(Locale.ROOT, "guest not done after %.0f s (VM %s, drive %s); console:%n%s",
                        (System.nanoTime() - resumed) / 1e9, hypervisor.vms(), st, console.tail(10));
                break;
            }
            Thread.sleep(consoleMs);
        }
        if (doneLine != null) {
            try {
                qemu.awaitExit(Duration.ofSeconds(30));
            } catch (AssertionError notYet) {
                r.warnings.add("QEMU still running 30 s after the guest was done");
            }
        }
        // An extension still under way has the last word, then the sampler its last reading.
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < settle && sampler.lastState().equals("extending")) {
            Thread.sleep(20);
        }
        sampling.shutdown();
        sampling.awaitTermination(5, TimeUnit.SECONDS);
        sampler.tick();

        // What happened.
        long t0 = startLine != null ? startLine : resumed;
        r.bootSeconds = round((t0 - resumed) / 1e9);
        if (doneLine != null && startLine != null) {
            r.hostElapsed = round((doneLine - startLine) / 1e9);
            r.hostRate = r.wroteMiB > 0 ? round(r.wroteMiB / r.hostElapsed) : null;
        }
        for (double[] p : progress) {
            r.progress.add(new double[] {round3((p[0] - t0) / 1e9), p[1] / 100.0, p[2]});
        }
        for (Sampler.Sample s : sampler.samples) {
            r.latencies.add(new double[] {round3((s.nanos() - t0) / 1e9 - s.ms() / 1000), round(s.ms()), s.physicalMiB()});
        }
        r.missedSamples = sampler.missed;
        r.armed.addAll(armTimer.samples());
        r.extensions = monitor.stats().extensions();
        r.monitorPauses = monitor.stats().pauses();
        r.failures = monitor.stats().failures();
        r.statsP50 = round(monitor.stats().percentileMillis(50));
        r.statsP99 = round(monitor.stats().percentileMillis(99));
        r.statsMax = round(monitor.stats().percentileMillis(100));
        long resumes = 0;
        for (TimedEvent e : events) {
            double t = round3((e.nanos() - t0) / 1e9);
            if (e.event() instanceof DriveEvent.OutOfSpace) {
                r.outOfSpace++;
                r.pauseTimes.add(t);
            } else if (e.event() instanceof DriveEvent.Paused) {
                r.stops++;
            } else if (e.event() instanceof DriveEvent.Resumed) {
                resumes++;
            } else if (e.event() instanceof DriveEvent.ThresholdCrossed) {
                r.thresholdEvents++;
            } else if (e.event() instanceof DriveEvent.EventsLost lost) {
                r.warnings.add("events lost at " + t + " s: " + lost.why());
            }
        }
        r.resumes = Math.max(0, resumes - 1); // not our own cont out of -S
        r.finalState = sampler.lastState();
        r.finalProblem = sampler.lastProblem();
        r.finalVolumeMiB = domain.volumes().size(volume) / MIB;
        r.spmStats = stats(spm.stats());
        r.hostStats = stats(host.stats());
        if (r.error == null && r.rc != null && r.rc != 0) {
            r.error = "guest rc=" + r.rc + "; console:\n" + console.tail(10);
        }
        if (Boolean.parseBoolean(config.get("check")) && !qemu.alive()) {
            try {
                domain.volumes().refresh(volume);
                Lab.run(Lab.QEMU_IMG, "check", "-q", "-f", "qcow2", device.toString());
                r.check = "ok";
            } catch (IOException e) {
                r.check = e.getMessage();
                r.warnings.add("qemu-img check: " + e.getMessage());
            }
        }
    }

    /** Refuses to start anything more once the JVM is shutting down (the hook has cleaned up). */
    private static void alive() {
        if (shuttingDown) {
            throw new IllegalStateException("shutting down");
        }
    }

    private record TimedEvent(long nanos, DriveEvent event) {
    }

    /**
     * Reads the drive's status from the monitor (on its thread) every few ms and keeps the last
     * latency each time the drive's extension count goes up by one: the monitor's own figure for
     * that extension. Extensions come no closer than the guest needs to write through a
     * watermark's worth of the volume, far more than the reading interval; should the count jump
     * by more than one, the extensions in between are counted as missed.
     */
    private static final class Sampler {
        record Sample(long nanos, double ms, long physicalMiB) {
        }

        private final VolumeMonitor monitor;
        final List<Sample> samples = new ArrayList<>();
        int missed;
        private long count;
        private volatile String state = "unset";
        private volatile String problem = "";

        Sampler(VolumeMonitor monitor) {
            this.monitor = monitor;
        }

        synchronized void tick() {
            try {
                List<VolumeMonitor.VolumeStatus> list = monitor.volumes().get(5, TimeUnit.SECONDS);
                long now = System.nanoTime();
                if (list.isEmpty()) {
                    return;
                }
                VolumeMonitor.VolumeStatus s = list.get(0);
                state = s.state();
                problem = s.problem();
                if (s.extensions() > count) {
                    missed += (int) (s.extensions() - count - 1);
                    samples.add(new Sample(now, s.lastMillis(), s.physical() / MIB));
                    count = s.extensions();
                }
            } catch (Exception e) {
                // The monitor's thread is gone (end of the run): nothing more to read.
            }
        }

        String lastState() {
            return state;
        }

        String lastProblem() {
            return problem;
        }
    }

    /**
     * The hypervisor as the monitor sees it, passing every call through, and timing each arming of
     * a threshold (complete, non-zero) against the first trigger event (threshold crossed, out of
     * space) since the previous one: event to re-armed, which the monitor's own total ends short
     * of (it stops at the drive read after the refresh, before the threshold is set).
     */
    private static final class ArmTimer implements Hypervisor {
        private final Hypervisor real;
        private final List<Double> samples = new ArrayList<>();
        private long pending;

        ArmTimer(Hypervisor real) {
            this.real = real;
        }

        synchronized void triggered(long nanos) {
            if (pending == 0) {
                pending = nanos;
            }
        }

        private synchronized void armed(long nanos) {
            if (pending != 0) {
                samples.add(round((nanos - pending) / 1e6));
                pending = 0;
            }
        }

        synchronized List<Double> samples() {
            return new ArrayList<>(samples);
        }

        @Override
        public String type() {
            return real.type();
        }

        @Override
        public List<VmInfo> vms() {
            return real.vms();
        }

        @Override
        public CompletionStage<List<DriveInfo>> drives(String vm) {
            return real.drives(vm);
        }

        @Override
        public CompletionStage<DriveInfo> drive(DriveRef drive) {
            return real.drive(drive);
        }

        @Override
        public CompletionStage<Void> setWriteThreshold(DriveRef drive, long threshold) {
            CompletionStage<Void> done = real.setWriteThreshold(drive, threshold);
            if (threshold > 0) {
                done.whenComplete((ok, error) -> {
                    if (error == null) {
                        armed(System.nanoTime());
                    }
                });
            }
            return done;
        }

        @Override
        public CompletionStage<Void> resume(String vm) {
            return real.resume(vm);
        }

        @Override
        public CompletionStage<Void> pause(String vm) {
            return real.pause(vm);
        }

        @Override
        public AutoCloseable subscribe(DriveEventListener listener) {
            return real.subscribe(listener);
        }
    }

    /** The guest's serial console as it grows, in whole lines stamped with when they were read. */
    private static final class ConsoleTail {
        record Line(long nanos, String text) {
        }

        private final Path file;
        private long offset;
        private final StringBuilder partial = new StringBuilder();
        private final Deque<String> last = new ArrayDeque<>();

        ConsoleTail(Path file) {
            this.file = file;
        }

        List<Line> poll() throws IOException {
            List<Line> lines = new ArrayList<>();
            if (!Files.exists(file)) {
                return lines;
            }
            long now;
            byte[] bytes;
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                long length = f.length();
                now = System.nanoTime();
                if (length <= offset) {
                    return lines;
                }
                bytes = new byte[(int) (length - offset)];
                f.seek(offset);
                f.readFully(bytes);
                offset = length;
            }
            partial.append(new String(bytes, StandardCharsets.UTF_8));
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String text = partial.substring(0, nl).replace("\r", "");
                partial.delete(0, nl + 1);
                lines.add(new Line(now, text));
                last.addLast(text);
                if (last.size() > 40) {
                    last.removeFirst();
                }
            }
            return lines;
        }

        String tail(int n) {
            List<String> l = new ArrayList<>(last);
            return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size())) + (partial.length() > 0 ? "\n" + partial : "");
        }
    }

    /** The figures of one guest run. */
    static final class RunResult {
        final String scenario;
        final String label;
        final Setup setup;
        final int sizeMiB;
        final int rate;
        final boolean preallocated;
        Integer chunkMiB;
        long initialMiB;
        String error;
        final List<String> warnings = new ArrayList<>();
        Integer rc;
        int wroteMiB;
        Double guestElapsed;
        Double guestRate;
        Double hostElapsed;
        Double hostRate;
        double bootSeconds;
        double runSeconds;
        long extensions;
        long monitorPauses;
        long failures;
        int missedSamples;
        double statsP50;
        double statsP99;
        double statsMax;
        long outOfSpace;
        long stops;
        long resumes;
        long thresholdEvents;
        String finalState;
        String finalProblem;
        long finalVolumeMiB;
        String check;
        Map<String, Object> spmStats;
        Map<String, Object> hostStats;
        /** Time since the guest's first write (s), guest time (s), MiB written. */
        final List<double[]> progress = new ArrayList<>();
        /** Time the extension began (s since the guest's first write), latency (ms), volume size after (MiB). */
        final List<double[]> latencies = new ArrayList<>();
        final List<Double> pauseTimes = new ArrayList<>();
        /** Event to re-armed, as the harness sees it: trigger event to the completion of the next arming (ms). */
        final List<Double> armed = new ArrayList<>();
        /** The monitor's own breakdown of each extension, from its log: wait, extend, refresh, total (ms). */
        final List<double[]> breakdown = new CopyOnWriteArrayList<>();

        RunResult(String scenario, String label, Setup setup, int sizeMiB, int rate, boolean preallocated) {
            this.scenario = scenario;
            this.label = label;
            this.setup = setup;
            this.sizeMiB = sizeMiB;
            this.rate = rate;
            this.preallocated = preallocated;
        }

        /** Pauses: ENOSPC events, or VM stops where QEMU's rate limit swallowed those. */
        long pauses() {
            return Math.max(outOfSpace, stops);
        }

        /** Done, written in full, no pause, no failed extension. */
        boolean clean() {
            return error == null && rc != null && rc == 0 && wroteMiB == sizeMiB && pauses() == 0 && failures == 0;
        }

        double[] latencyMs() {
            return latencies.stream().mapToDouble(l -> l[1]).sorted().toArray();
        }

        Map<String, Object> latencySummary() {
            double[] sorted = latencyMs();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("samples", sorted.length);
            if (sorted.length > 0) {
                s.put("min_ms", round(sorted[0]));
                s.put("p50_ms", round(percentile(sorted, 50)));
                s.put("p90_ms", round(percentile(sorted, 90)));
                s.put("p99_ms", round(percentile(sorted, 99)));
                s.put("max_ms", round(sorted[sorted.length - 1]));
                s.put("mean_ms", round(Arrays.stream(sorted).average().orElse(0)));
            }
            return s;
        }

        /** p50 and p99 of the monitor's wait (event to request sent), extend (to the reply) and refresh (to re-armed). */
        Map<String, Object> breakdownSummary() {
            Map<String, Object> s = new LinkedHashMap<>();
            String[] names = {"wait", "extend", "refresh", "total"};
            for (int i = 0; i < names.length; i++) {
                int k = i;
                double[] sorted = breakdown.stream().mapToDouble(b -> b[k]).sorted().toArray();
                if (sorted.length > 0) {
                    s.put(names[i] + "_p50_ms", round(percentile(sorted, 50)));
                    s.put(names[i] + "_p99_ms", round(percentile(sorted, 99)));
                }
            }
            return s;
        }

        Double component(int k, double pct) {
            double[] sorted = breakdown.stream().mapToDouble(b -> b[k]).sorted().toArray();
            return sorted.length == 0 ? null : round(percentile(sorted, pct));
        }

        Double armedP(double pct) {
            double[] sorted = armed.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return sorted.length == 0 ? null : round(percentile(sorted, pct));
        }

        Double p(double pct) {
            double[] sorted = latencyMs();
            return sorted.length == 0 ? null : round(percentile(sorted, pct));
        }

        String brief() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-22s", label));
            if (rc != null) {
                b.append(String.format(Locale.ROOT, "wrote %d MiB at %s MiB/s (host clock %s)", wroteMiB,
                        guestRate == null ? "?" : String.format(Locale.ROOT, "%.0f", guestRate),
                        hostRate == null ? "?" : String.format(Locale.ROOT, "%.0f", hostRate)));
            }
            if (!preallocated) {
                b.append(String.format(Locale.ROOT, "; %d extensions, %d pauses (%d stops)", extensions, outOfSpace, stops));
                if (!latencies.isEmpty()) {
                    b.append(String.format(Locale.ROOT, ", latency p50 %.1f p99 %.1f max %.1f ms", p(50), p(99), p(100)));
                }
            }
            b.append(String.format(Locale.ROOT, " [%.0f s]", runSeconds));
            if (error != null) {
                b.append("\n      ERROR: ").append(error.replace("\n", "\n      "));
            }
            for (String w : warnings) {
                b.append("\n      warning: ").append(w);
            }
            return b.toString();
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", label);
            m.put("policy", setup.id());
            m.put("setup", setup.describe());
            m.put("chunk_mib", chunkMiB);
            m.put("initial_volume_mib", initialMiB);
            m.put("preallocated", preallocated);
            m.put("size_mib", sizeMiB);
            m.put("rate_setting_mib_s", rate);
            m.put("error", error);
            m.put("warnings", warnings);
            m.put("guest_rc", rc);
            m.put("wrote_mib", wroteMiB);
            m.put("guest_elapsed_s", guestElapsed);
            m.put("guest_rate_mib_s", guestRate);
            m.put("host_elapsed_s", hostElapsed);
            m.put("host_rate_mib_s", hostRate);
            m.put("boot_s", bootSeconds);
            m.put("run_s", runSeconds);
            m.put("extensions", extensions);
            m.put("pauses", pauses());
            m.put("out_of_space_events", outOfSpace);
            m.put("vm_stops", stops);
            m.put("resumes_after_pause", resumes);
            m.put("monitor_pauses", monitorPauses);
            m.put("extension_failures", failures);
            m.put("threshold_events", thresholdEvents);
            m.put("latency", latencySummary());
            m.put("latency_samples_missed", missedSamples);
            m.put("breakdown", breakdownSummary());
            double[] armedSorted = armed.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("samples", armedSorted.length);
            if (armedSorted.length > 0) {
                a.put("p50_ms", round(percentile(armedSorted, 50)));
                a.put("p99_ms", round(percentile(armedSorted, 99)));
                a.put("max_ms", round(armedSorted[armedSorted.length - 1]));
            }
            m.put("event_to_rearmed", a);
            m.put("event_to_rearmed_ms", armed);
            m.put("breakdown_wait_extend_refresh_total_ms", breakdown);
            m.put("extension_stats_p50_ms", statsP50);
            m.put("extension_stats_p99_ms", statsP99);
            m.put("extension_stats_max_ms", statsMax);
            m.put("final_state", finalState);
            m.put("final_problem", finalProblem);
            m.put("final_volume_mib", finalVolumeMiB);
            m.put("qemu_img_check", check);
            m.put("spm_mailbox", spmStats);
            m.put("host_mailbox", hostStats);
            m.put("pause_times_s", pauseTimes);
            m.put("extensions_t_ms_mib", latencies);
            m.put("progress_t_guestt_mib", progress);
            return m;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Tables and goals

    private String latencyTable(List<RunResult> runs) {
        StringBuilder b = new StringBuilder();
        RunResult first = runs.get(0);
        b.append(String.format(Locale.ROOT, "(a) extension latency: chunk %d MiB at %d %%, guest unthrottled, %d MiB written%n",
                integer("latency.chunk.mib"), integer("utilization"), first.sizeMiB));
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("metric"));
        runs.forEach(r -> head.add(r.label));
        rows.add(head.toArray(String[]::new));
        rows.add(row(runs, "extensions", r -> Long.toString(r.extensions)));
        rows.add(row(runs, "pauses (ENOSPC events)", r -> Long.toString(r.outOfSpace)));
        rows.add(row(runs, "VM stops", r -> Long.toString(r.stops)));
        rows.add(row(runs, "latency p50 (ms, monitor total)", r -> fmt(r.p(50))));
        rows.add(row(runs, "latency p99 (ms, monitor total)", r -> fmt(r.p(99))));
        rows.add(row(runs, "latency max (ms, monitor total)", r -> fmt(r.p(100))));
        rows.add(row(runs, "ExtensionStats p50/p99 (ms)", r -> fmt(r.statsP50) + " / " + fmt(r.statsP99)));
        rows.add(row(runs, "p50 wait / extend / refresh (ms)", r -> fmt(r.component(0, 50)) + " / " + fmt(r.component(1, 50))
                + " / " + fmt(r.component(2, 50))));
        rows.add(row(runs, "p99 wait / extend / refresh (ms)", r -> fmt(r.component(0, 99)) + " / " + fmt(r.component(1, 99))
                + " / " + fmt(r.component(2, 99))));
        rows.add(row(runs, "event -> re-armed p50/p99 (ms, harness)", r -> fmt(r.armedP(50)) + " / " + fmt(r.armedP(99))));
        rows.add(row(runs, "guest rate (MiB/s)", r -> fmt(r.guestRate)));
        rows.add(row(runs, "rate, host clock (MiB/s)", r -> fmt(r.hostRate)));
        rows.add(row(runs, "mailbox", r -> r.setup.mailbox().name()));
        return b.append(render(rows)).toString();
    }

    private interface Cell {
        String of(RunResult r);
    }

    private static String[] row(List<RunResult> runs, String metric, Cell cell) {
        List<String> c = new ArrayList<>(List.of(metric));
        runs.forEach(r -> c.add(cell.of(r)));
        return c.toArray(String[]::new);
    }

    @SuppressWarnings("unchecked")
    private String sweepTable(Map<String, Object> sweep) {
        StringBuilder b = new StringBuilder();
        List<Integer> rates = (List<Integer>) sweep.get("rates");
        Double limit = (Double) sweep.get("limit_mib_s");
        List<RunResult> limits = (List<RunResult>) sweep.get("limit_results");
        b.append(String.format(Locale.ROOT, "(b) rate sweep: chunk %s MiB at %d %%, %s MiB per run; cells: pauses / achieved MiB/s "
                + "(guest's DONE line; this host's clock where it paused)%n",
                sweep.get("chunk_mib"), integer("utilization"), sweep.get("size_mib")));
        b.append(String.format(Locale.ROOT, "    limit (fully allocated volume, no extension): %s MiB/s, median of runs: %s%n", fmt(limit),
                String.join(", ", limits.stream().map(r -> r.error != null ? "error" : fmt(r.guestRate)).toList())));
        b.append("    unthrottled (max): each run follows a limit run; best = the median of the runs at that rate\n");
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("policy"));
        rates.forEach(rt -> head.add("rate " + rateName(rt)));
        head.addAll(List.of("best 0-pause", "% of limit", "paired % (median)"));
        rows.add(head.toArray(String[]::new));
        Map<String, Object> policies = (Map<String, Object>) sweep.get("policies");
        for (Map.Entry<String, Object> e : policies.entrySet()) {
            Map<String, Object> p = (Map<String, Object>) e.getValue();
            List<RunResult> tried = (List<RunResult>) p.get("results");
            List<String> c = new ArrayList<>(List.of(e.getKey()));
            for (int rate : rates) {
                List<RunResult> at = tried.stream().filter(r -> r.rate == rate).toList();
                if (at.isEmpty()) {
                    c.add("(skipped)");
                } else if (at.stream().anyMatch(r -> r.error != null)) {
                    c.add("error");
                } else {
                    long pauses = at.stream().mapToLong(RunResult::pauses).sum();
                    Double host = at.stream().filter(r -> r.pauses() > 0 && r.hostRate != null).map(r -> r.hostRate).findFirst().orElse(null);
                    c.add(pauses + " / " + (at.size() == 1 ? fmt(at.get(0).guestRate)
                            : String.join(",", at.stream().map(r -> fmt(r.guestRate)).toList()))
                            + (host != null ? " (host " + fmt(host) + ")" : ""));
                }
            }
            Double best = (Double) p.get("best_achieved_mib_s");
            c.add(best == null ? "none" : p.get("best_rate_setting_name") + " (" + fmt(best) + ")");
            c.add(fmt((Double) p.get("best_percent_of_limit")));
            List<Double> ratios = (List<Double>) p.get("paired_percent_of_limit");
            c.add(p.get("best_percent_of_paired_limit_median") == null ? "-"
                    : fmt((Double) p.get("best_percent_of_paired_limit_median")) + " ("
                    + String.join(", ", ratios.stream().map(ThinExtendBenchmark::fmt).toList()) + ")");
            rows.add(c.toArray(String[]::new));
        }
        return b.append(render(rows)).toString();
    }

    @SuppressWarnings("unchecked")
    private String chunksTable(Map<String, Object> chunks) {
        StringBuilder b = new StringBuilder();
        List<Integer> list = (List<Integer>) chunks.get("chunks_mib");
        b.append(String.format(Locale.ROOT, "(c) smallest chunk with no pause, guest unthrottled, (%s + 1) chunks written; "
                + "cells: pauses / extensions / latency p99 ms%n", chunks.get("extensions")));
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("policy"));
        list.forEach(c -> head.add(c + " MiB"));
        head.add("smallest 0-pause chunk");
        rows.add(head.toArray(String[]::new));
        Map<String, Object> policies = (Map<String, Object>) chunks.get("policies");
        for (Map.Entry<String, Object> e : policies.entrySet()) {
            Map<String, Object> p = (Map<String, Object>) e.getValue();
            List<RunResult> tried = (List<RunResult>) p.get("results");
            List<String> c = new ArrayList<>(List.of(e.getKey()));
            for (int chunk : list) {
                RunResult r = tried.stream().filter(t -> t.chunkMiB == chunk).findFirst().orElse(null);
                c.add(r == null ? "(skipped)" : r.error != null ? "error" : r.pauses() + " / " + r.extensions + " / " + fmt(r.p(99)));
            }
            Integer smallest = (Integer) p.get("smallest_chunk_mib");
            c.add(smallest == null ? "none of these" : smallest + " MiB");
            rows.add(c.toArray(String[]::new));
        }
        return b.append(render(rows)).toString();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> goals(List<RunResult> latencyRuns, Map<String, Object> sweep) {
        List<Map<String, Object>> goals = new ArrayList<>();
        RunResult h = latencyRuns.stream().filter(r -> r.label.equals("headroom") || r.label.equals("default")).findFirst().orElse(null);
        RunResult v = latencyRuns.stream().filter(r -> r.label.startsWith("vdsm")).findFirst().orElse(null);
        if (h != null) {
            Double p50 = h.p(50);
            Double p99 = h.p(99);
            goals.add(goal("(a) headroom extension latency p50 <= 20 ms", fmt(p50) + " ms", p50 != null && p50 <= 20));
            goals.add(goal("(a) headroom extension latency p99 <= 100 ms", fmt(p99) + " ms", p99 != null && p99 <= 100));
            int want = integer("latency.extensions");
            goals.add(goal("(a) each policy caused >= " + want + " extensions",
                    String.join(", ", latencyRuns.stream().map(r -> r.label + " " + r.extensions).toList()),
                    latencyRuns.stream().allMatch(r -> r.extensions >= want)));
            if (v != null) {
                for (int pct : new int[] {50, 99}) {
                    Double hv = h.p(pct);
                    Double vv = v.p(pct);
                    Double ratio = hv == null || vv == null || hv == 0 ? null : vv / hv;
                    goals.add(goal("(a) headroom p" + pct + " >= 10x better than vdsm-policy",
                            ratio == null ? "-" : String.format(Locale.ROOT, "%.1fx (%s vs %s ms)", ratio, fmt(hv), fmt(vv)),
                            ratio != null && ratio >= 10));
                }
            }
            goals.add(goal("(a) headroom: no pause (not a stated goal)", h.pauses() + " pauses", h.pauses() == 0));
        }
        if (sweep != null) {
            Map<String, Object> policies = (Map<String, Object>) sweep.get("policies");
            Map<String, Object> d = (Map<String, Object>) policies.get("default");
            Map<String, Object> vd = (Map<String, Object>) policies.get("vdsm-policy");
            if (d != null) {
                Double pct = (Double) d.get("best_percent_of_limit");
                Double paired = (Double) d.get("best_percent_of_paired_limit_median");
                goals.add(goal("(b) default: best 0-pause rate >= 95 % of the limit", pct == null ? "none"
                                : String.format(Locale.ROOT, "%s %% (%s of %s MiB/s, at %s)%s", fmt(pct), fmt((Double) d.get("best_achieved_mib_s")),
                                fmt((Double) sweep.get("limit_mib_s")), d.get("best_rate_setting_name"),
                                paired == null ? "" : "; paired median " + fmt(paired) + " %"),
                        pct != null && pct >= 95));
            }
            if (vd != null) {
                Object pausedAt = vd.get("paused_at");
                goals.add(goal("(b) ... at a chunk (" + sweep.get("chunk_mib") + " MiB) where vdsm-policy pauses",
                        pausedAt == null ? "no pause at any rate tried (" + vd.get("stopped_by") + ")"
                                : "vdsm-policy stopped at " + vd.get("stopped_by"), pausedAt != null));
            }
        }
        return goals;
    }

    private static Map<String, Object> goal(String goal, String figure, boolean met) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("goal", goal);
        g.put("figure", figure);
        g.put("met", met);
        return g;
    }

    private static String goalsTable(List<Map<String, Object>> goals) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"goal", "figure", "met?"});
        for (Map<String, Object> g : goals) {
            rows.add(new String[] {(String) g.get("goal"), (String) g.get("figure"), (Boolean) g.get("met") ? "yes" : "NO"});
        }
        return "goals\n" + render(rows);
    }

    private static String render(List<String[]> cells) {
        int columns = cells.stream().mapToInt(c -> c.length).max().orElse(0);
        int[] width = new int[columns];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i] == null ? 1 : c[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int line = 0; line < cells.size(); line++) {
            String[] c = cells.get(line);
            for (int i = 0; i < c.length; i++) {
                String f = "%" + (i == 0 ? "-" : "") + width[i] + "s";
                b.append(i == 0 ? "" : " | ").append(String.format(f, c[i] == null ? "-" : c[i]));
            }
            b.append('\n');
            if (line == 0) {
                for (int i = 0; i < width.length; i++) {
                    b.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<RunResult> allRuns(List<RunResult> latency, Map<String, Object> sweep, Map<String, Object> chunks) {
        List<RunResult> all = new ArrayList<>(latency);
        if (sweep != null) {
            all.addAll((List<RunResult>) sweep.get("limit_results"));
            for (Object p : ((Map<String, Object>) sweep.get("policies")).values()) {
                all.addAll((List<RunResult>) ((Map<String, Object>) p).get("results"));
            }
        }
        if (chunks != null) {
            for (Object p : ((Map<String, Object>) chunks.get("policies")).values()) {
                all.addAll((List<RunResult>) ((Map<String, Object>) p).get("results"));
            }
        }
        return all;
    }

    /** Anything in the runs that a reader should look at. */
    private void collectOddities(List<RunResult> all) {
        List<RunResult> paused = all.stream().filter(r -> r.pauses() > 0 && r.guestElapsed != null && r.hostElapsed != null
                && r.hostElapsed - r.guestElapsed > 0.2).toList();
        if (!paused.isEmpty()) {
            oddities.add(String.format(Locale.ROOT, "the guest's clock stands still while the VM is paused: in %d runs that "
                    + "paused it counted %.1f s less than this host's, so its rate= overstates (host-clock rates are shown too)",
                    paused.size(), paused.stream().mapToDouble(r -> r.hostElapsed - r.guestElapsed).sum()));
        }
        for (RunResult r : all) {
            String where = r.scenario + " " + r.label;
            if (r.error != null) {
                oddities.add(where + ": " + r.error.lines().findFirst().orElse(""));
            }
            if (r.missedSamples > 0) {
                oddities.add(where + ": " + r.missedSamples + " extensions ended between two readings of the monitor: "
                        + "their latencies are in ExtensionStats but not in the samples");
            }
            Double p50 = r.p(50);
            Double p99 = r.p(99);
            if (p50 != null && (Math.abs(p50 - r.statsP50) > 0.05 || Math.abs(p99 - r.statsP99) > 0.05)) {
                oddities.add(String.format(Locale.ROOT, "%s: sampled p50/p99 %s/%s ms differ from ExtensionStats' %s/%s ms",
                        where, fmt(p50), fmt(p99), fmt(r.statsP50), fmt(r.statsP99)));
            }
            if (r.stops > r.outOfSpace) {
                oddities.add(where + ": " + r.stops + " VM stops but " + r.outOfSpace
                        + " ENOSPC events (QEMU rate-limits BLOCK_IO_ERROR): pauses counted as stops");
            }
            if (r.failures > 0) {
                oddities.add(where + ": " + r.failures + " failed extensions (" + r.finalProblem + ")");
            }
            if (!r.preallocated && r.error == null && r.extensions != r.latencies.size() + r.missedSamples) {
                oddities.add(where + ": monitor counted " + r.extensions + " extensions, the drive " + (r.latencies.size() + r.missedSamples));
            }
            if (!r.preallocated && r.error == null && r.breakdown.size() != r.extensions) {
                oddities.add(where + ": " + r.breakdown.size() + " 'extended' lines in the monitor's log for " + r.extensions + " extensions");
            }
            if (r.preallocated && r.extensions > 0) {
                oddities.add(where + ": " + r.extensions + " extensions of a fully allocated volume");
            }
            if (r.pauses() == 0 && r.guestElapsed != null && r.hostElapsed != null && r.hostElapsed > 0
                    && Math.abs(r.hostElapsed - r.guestElapsed) > Math.max(0.5, 0.1 * r.hostElapsed)) {
                oddities.add(String.format(Locale.ROOT, "%s: the guest's clock says %.2f s, this host's %.2f s (%d pauses): "
                        + "guest time %s", where, r.guestElapsed, r.hostElapsed, r.pauses(),
                        r.guestElapsed < r.hostElapsed ? "stood still while the VM was paused, so its rate= overstates" : "ran ahead"));
            }
            if (r.check != null && !r.check.equals("ok")) {
                oddities.add(where + ": qemu-img check: " + r.check);
            }
            if (r.hostStats != null && ((Number) r.hostStats.get("resends")).longValue() > 0) {
                oddities.add(where + ": the host mailbox resent " + r.hostStats.get("resends") + " times");
            }
            for (String w : r.warnings) {
                oddities.add(where + ": " + w);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The plot: scenario (a), extension latency and the guest's write rate over time

    private String plot(List<RunResult> runs, Map<String, Object> sweep) {
        double window = decimal("plot.window.s");
        int w = 1000;
        int h = 760;
        int left = 80;
        int right = 770;
        int[] top = {70, 430};
        int[] bottom = {350, 700};
        double tMax = 1;
        double msMin = Double.MAX_VALUE;
        double msMax = 0;
        double rateMax = 1;
        List<List<double[]>> rates = new ArrayList<>();
        for (RunResult r : runs) {
            for (double[] p : r.progress) {
                tMax = Math.max(tMax, p[0]);
            }
            for (double[] l : r.latencies) {
                tMax = Math.max(tMax, l[0]);
                msMin = Math.min(msMin, Math.max(0.1, l[1]));
                msMax = Math.max(msMax, l[1]);
            }
            List<double[]> binned = rateBins(r.progress, window);
            rates.add(binned);
            for (double[] b : binned) {
                rateMax = Math.max(rateMax, b[1]);
            }
        }
        Double limit = sweep == null ? null : (Double) sweep.get("limit_mib_s");
        if (limit != null) {
            rateMax = Math.max(rateMax, limit);
        }
        if (msMax == 0) {
            msMin = 1;
            msMax = 1000;
        }
        double xMax = niceCeil(tMax);
        double logLo = Math.floor(Math.log10(msMin));
        double logHi = Math.ceil(Math.log10(msMax));
        if (logHi <= logLo) {
            logHi = logLo + 1;
        }
        double yMax = niceCeil(rateMax * 1.1);
        double fLogLo = logLo;
        double fLogHi = logHi;
        java.util.function.DoubleUnaryOperator x = t -> left + (right - left) * t / xMax;
        java.util.function.DoubleUnaryOperator yLat = ms -> bottom[0]
                - (bottom[0] - top[0]) * (Math.log10(Math.max(ms, Math.pow(10, fLogLo))) - fLogLo) / (fLogHi - fLogLo);
        java.util.function.DoubleUnaryOperator yRate = mibs -> bottom[1] - (bottom[1] - top[1]) * mibs / yMax;

        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", w, h, w, h));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        RunResult first = runs.get(0);
        s.append(text(w / 2.0, 24, "middle", 16, "bold", String.format(Locale.ROOT,
                "Thin extend, real guest and mailbox: chunk %d MiB at %d %%, guest unthrottled, %d MiB written",
                integer("latency.chunk.mib"), integer("utilization"), first.sizeMiB)));
        s.append(text(w / 2.0, 44, "middle", 12, "normal", String.format(Locale.ROOT,
                "%s; each point is one extension: the VolumeMonitor's logged total (threshold event to volume refreshed); load %s",
                Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC", loadAverage())));

        // Axes and grids.
        for (int panel = 0; panel < 2; panel++) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
                    left, top[panel], right - left, bottom[panel] - top[panel]));
            double step = niceStep(xMax / 8);
            for (double t = 0; t <= xMax + 1e-9; t += step) {
                double px = x.applyAsDouble(t);
                s.append(line(px, top[panel], px, bottom[panel], "#e4e4e4", 1, null));
                s.append(text(px, bottom[panel] + 16, "middle", 11, "normal", trim(t)));
            }
            s.append(text((left + right) / 2.0, bottom[panel] + 34, "middle", 12, "normal",
                    "time since the guest's first write (s, this host's clock)"));
        }
        for (double d = logLo; d <= logHi + 1e-9; d++) {
            double py = yLat.applyAsDouble(Math.pow(10, d));
            s.append(line(left, py, right, py, "#cfcfcf", 1, null));
            s.append(text(left - 6, py + 4, "end", 11, "normal", trim(Math.pow(10, d))));
            if (d < logHi) {
                for (int m = 2; m <= 9; m++) {
                    double my = yLat.applyAsDouble(m * Math.pow(10, d));
                    s.append(line(left, my, right, my, "#f0f0f0", 1, null));
                    if (m == 2 || m == 5) {
                        s.append(text(left - 6, my + 4, "end", 10, "normal", trim(m * Math.pow(10, d))));
                    }
                }
            }
        }
        s.append(vtext(24, (top[0] + bottom[0]) / 2.0, "extension latency (ms, log scale)"));
        double rStep = niceStep(yMax / 6);
        for (double v = 0; v <= yMax + 1e-9; v += rStep) {
            double py = yRate.applyAsDouble(v);
            s.append(line(left, py, right, py, "#e4e4e4", 1, null));
            s.append(text(left - 6, py + 4, "end", 11, "normal", trim(v)));
        }
        s.append(vtext(24, (top[1] + bottom[1]) / 2.0, String.format(Locale.ROOT, "guest write rate (MiB/s, %s s bins)", trim(window))));
        s.append(text(left, top[0] - 8, "start", 13, "bold", "Extension latency per extension"));
        s.append(text(left, top[1] - 8, "start", 13, "bold", "Guest write rate (from its progress lines); dashed verticals: ENOSPC pauses"));

        // Limit line.
        if (limit != null) {
            double py = yRate.applyAsDouble(limit);
            s.append(line(left, py, right, py, "#555", 1.2, "6,4"));
            s.append(text(right - 4, py - 5, "end", 11, "normal", "limit: " + fmt(limit) + " MiB/s (no extension, scenario b)"));
        }

        // Series.
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            String color = COLORS[i % COLORS.length];
            for (double p : r.pauseTimes) {
                double px = x.applyAsDouble(p);
                s.append(line(px, top[1], px, bottom[1], color, 1, "3,3").replace("/>", " opacity=\"0.6\"/>"));
            }
            StringBuilder pts = new StringBuilder();
            for (double[] l : r.latencies) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(l[0]), yLat.applyAsDouble(l[1])));
            }
            if (pts.length() > 0) {
                s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1\" opacity=\"0.5\"/>%n",
                        pts.toString().trim(), color));
            }
            for (double[] l : r.latencies) {
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s: %s ms at %s s, to %s MiB</title></circle>%n",
                        x.applyAsDouble(l[0]), yLat.applyAsDouble(l[1]), color, esc(r.label), trim(l[1]), trim(l[0]), trim(l[2])));
            }
            StringBuilder rp = new StringBuilder();
            for (double[] b : rates.get(i)) {
                rp.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(b[0]), yRate.applyAsDouble(b[1])));
            }
            if (rp.length() > 0) {
                s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"/>%n",
                        rp.toString().trim(), color));
            }
        }

        // Legend.
        int lx = right + 20;
        int ly = top[0] + 10;
        s.append(text(lx, ly, "start", 13, "bold", "Legend"));
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            String color = COLORS[i % COLORS.length];
            int y0 = ly + 24 + i * 92;
            s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\"/>%n", lx + 6, y0 - 4, color));
            s.append(line(lx + 14, y0 - 4, lx + 34, y0 - 4, color, 1.6, null));
            s.append(text(lx + 40, y0, "start", 12, "bold", r.label));
            s.append(text(lx + 6, y0 + 16, "start", 11, "normal", r.setup.mailbox().name() + " mailbox"));
            s.append(text(lx + 6, y0 + 31, "start", 11, "normal", String.format(Locale.ROOT, "p50 %s, p99 %s ms", fmt(r.p(50)), fmt(r.p(99)))));
            s.append(text(lx + 6, y0 + 46, "start", 11, "normal", String.format(Locale.ROOT, "%d extensions, %d pauses", r.extensions, r.pauses())));
            s.append(text(lx + 6, y0 + 61, "start", 11, "normal", String.format(Locale.ROOT, "guest %s MiB/s", fmt(r.guestRate))));
        }
        int ny = ly + 24 + runs.size() * 92;
        s.append(line(lx + 2, ny, lx + 30, ny, "#555", 1, "3,3"));
        s.append(text(lx + 36, ny + 4, "start", 11, "normal", "ENOSPC pause"));
        s.append("</svg>\n");
        return s.toString();
    }

    /** MiB/s per bin of {@code window} seconds, at the bins' centres, from (t, _, MiB) progress points. */
    private static List<double[]> rateBins(List<double[]> progress, double window) {
        List<double[]> out = new ArrayList<>();
        if (progress.isEmpty()) {
            return out;
        }
        double end = progress.get(progress.size() - 1)[0];
        int bins = (int) Math.ceil(end / window) + 1;
        double[] mib = new double[bins];
        double previous = 0;
        for (double[] p : progress) {
            int bin = (int) Math.max(0, Math.floor(p[0] / window));
            mib[Math.min(bin, bins - 1)] += p[2] - previous;
            previous = p[2];
        }
        for (int i = 0; i < bins; i++) {
            double from = i * window;
            double span = Math.min(window, end - from); // the last bin ends with the last line
            if (span < window / 2) {
                break;
            }
            out.add(new double[] {from + span / 2, mib[i] / span});
        }
        return out;
    }

    private static String line(double x1, double y1, double x2, double y2, String color, double width, String dash) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"%s/>%n",
                x1, y1, x2, y2, color, trim(width), dash == null ? "" : " stroke-dasharray=\"" + dash + "\"");
    }

    private static String text(double x, double y, String anchor, int size, String weight, String text) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n",
                x, y, anchor, size, weight, esc(text));
    }

    private static String vtext(double x, double y, String text) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" "
                + "transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n", x, y, x, y, esc(text));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static double niceStep(double rough) {
        double p = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    private static double niceCeil(double v) {
        double step = niceStep(v / 5);
        return Math.ceil(v / step) * step;
    }

    private static String trim(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.2f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** The report without the typed results kept beside their JSON form ({@code results}, {@code limit_results}). */
    private static Object withoutTyped(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (!(k instanceof String key && key.endsWith("results"))) {
                    copy.put(k, withoutTyped(v));
                }
            });
            return copy;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(ThinExtendBenchmark::withoutTyped).toList();
        }
        return o;
    }

    // ---------------------------------------------------------------------------------------------
    // Statistics and formatting

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double round3(double d) {
        return Math.round(d * 1000.0) / 1000.0;
    }

    private static String fmt(Double d) {
        if (d == null) {
            return "-";
        }
        return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.1f", d);
    }

    private static String mib(long bytes) {
        return bytes % MIB == 0 ? Long.toString(bytes / MIB) : String.format(Locale.ROOT, "%.1f", bytes / (double) MIB);
    }

    private static Map<String, Object> stats(MailboxStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", s.requests.sum());
        m.put("replies", s.replies.sum());
        m.put("failures", s.failures.sum());
        m.put("timeouts", s.timeouts.sum());
        m.put("duplicates", s.duplicates.sum());
        m.put("resends", s.resends.sum());
        m.put("scans", s.scans.sum());
        m.put("events", s.events.sum());
        m.put("latency_p50_us_bucketed", s.latency.percentileMicros(50));
        m.put("latency_p99_us_bucketed", s.latency.percentileMicros(99));
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Environment and clean-up

    private static Map<String, Object> environment(Path root, String fsType) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("processors", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("qemu", firstLine(Lab.QEMU, "--version"));
        env.put("root", root.toString());
        env.put("root_fs_type", fsType);
        env.put("load_average_start", loadAverage());
        return env;
    }

    private static String firstLine(String... command) {
        try {
            return Lab.run(command).lines().findFirst().orElse("?");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name.endsWith("-") ? name + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops an executor when closed. */
    private record ExecutorCloser(ExecutorService executor) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * System.err, line by line: takes the volume monitor's "extended ..." lines (its breakdown of
     * each extension) for the run in progress, and passes on everything else, except the monitor's
     * INFO lines and the QMP connection's end when the guest has powered off, unless at level info.
     */
    private static final class LogTap extends OutputStream {
        private final PrintStream out;
        private final boolean echoInfo;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LogTap(PrintStream out, boolean echoInfo) {
            this.out = out;
            this.echoInfo = echoInfo;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (pass(text)) {
                    out.println(text);
                }
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public synchronized void flush() {
            out.flush();
        }

        private boolean pass(String text) {
            if (text.contains(" INFO VolumeMonitor - ")) {
                Matcher m = EXTENDED.matcher(text);
                List<double[]> sink = breakdownSink;
                if (m.find() && sink != null) {
                    sink.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                            Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
                }
                return echoInfo;
            }
            if (guestDone && text.contains("QmpClient - ") && text.contains("lost (end of stream)")) {
                return echoInfo;
            }
            return true;
        }
    }

    /**
     * What one run opened, closed last first, every one even when some fail; also by the shutdown
     * hook, whichever comes first (closing twice closes nothing twice).
     */
    private static final class Resources implements AutoCloseable {
        private final Deque<AutoCloseable> open = new ArrayDeque<>();
        private boolean closed;

        Resources() {
            LIVE.addFirst(this);
        }

        synchronized <T extends AutoCloseable> T add(T resource) throws Exception {
            if (closed) {
                resource.close();
                throw new IllegalStateException("shutting down");
            }
            open.push(resource);
            return resource;
        }

        ScheduledExecutorService add(ExecutorCloser closer) throws Exception {
            add((AutoCloseable) closer);
            return (ScheduledExecutorService) closer.executor();
        }

        @Override
        public synchronized void close() throws Exception {
            closed = true;
            LIVE.remove(this);
            Exception first = null;
            while (!open.isEmpty()) {
                try {
                    open.pop().close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
