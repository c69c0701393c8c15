package org.headroom.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.headroom.api.storage.StorageDomain;
import org.headroom.mailbox.MailboxCounters;
import org.headroom.mailbox.internal.MailboxPolicy;
import org.headroom.mailbox.internal.SpmMailbox;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.runtime.ThreadScheduler;

/**
 * What the end-to-end benchmarks share: statistics, the machine they ran on, the SPM as the
 * mailbox bundle wires it, tables, JSON, clean-up.
 */
final class BenchSupport {
    /** The SPM's threads are named so ({@code mailbox-spm-N}, {@code -outbox-N}, {@code -extend-N}), as in Karaf. */
    static final String SPM_THREADS = "mailbox-spm";

    private BenchSupport() {
    }

    // ---- statistics ----------------------------------------------------------------------------

    /** The smallest sample at least {@code p} % of the samples are not above (nearest rank). */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double[] sorted(Collection<Double> samples) {
        return samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** The {@code p}-th percentile of the samples, rounded; null when there are none. */
    static Double percentileOf(Collection<Double> samples, double p) {
        double[] s = sorted(samples);
        return s.length == 0 ? null : round(percentile(s, p));
    }

    /** Count, min, p50/p90/p99 (nearest rank), max and mean of samples in ms, rounded to 2 decimals. */
    static Map<String, Object> summary(Collection<Double> samples) {
        double[] sorted = sorted(samples);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("samples", sorted.length);
        if (sorted.length == 0) {
            return s;
        }
        s.put("min_ms", round(sorted[0]));
        s.put("p50_ms", round(percentile(sorted, 50)));
        s.put("p90_ms", round(percentile(sorted, 90)));
        s.put("p99_ms", round(percentile(sorted, 99)));
        s.put("max_ms", round(sorted[sorted.length - 1]));
        s.put("mean_ms", round(Arrays.stream(sorted).average().orElse(0)));
        return s;
    }

    /** Two decimals, for reports. */
    static double round(double d) {
        return Math.round(d * 100.0) / 100.0;
    }

    static List<Double> rounded(List<Double> samples) {
        return samples.stream().map(BenchSupport::round).toList();
    }

    // ---- the machine ---------------------------------------------------------------------------

    /** The 1, 5 and 15 minute load averages, or "?". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Makes {@code root} if need be and names its file system; null, said on stderr in
     * {@code program}'s name, when it is tmpfs, which has no direct I/O.
     */
    static String directIoFileSystem(String program, Path root) throws IOException {
        Files.createDirectories(root);
        String type = Files.getFileStore(root).type();
        if (type.equals("tmpfs")) {
            System.err.println(program + ": " + root + " is on tmpfs, which has no direct I/O; use --root on a disk file system");
            return null;
        }
        return type;
    }

    /** Processors, JVM, OS, the results' directory and the load now; a benchmark adds its own. */
    static Map<String, Object> environment(Path root, String fsType) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("processors", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("root", root.toString());
        env.put("root_fs_type", fsType);
        env.put("load_average_start", loadAverage());
        return env;
    }

    // ---- the mailbox ---------------------------------------------------------------------------

    /**
     * An SPM serving {@code domain}, on threads as the mailbox bundle gives it (an inbox thread, an
     * outbox thread, {@code workers} extend workers with room for every slot of every host), all
     * closed by {@code res} after the SPM.
     */
    static SpmMailbox startSpm(Resources res, StorageDomain domain, MailboxPolicy policy, int maxHostId, int workers)
            throws Exception {
        ThreadScheduler inbox = res.add(ThreadScheduler.create(SPM_THREADS, 1, 16));
        ThreadScheduler outbox = res.add(ThreadScheduler.create(SPM_THREADS + "-outbox", 1, 16));
        ThreadScheduler extend = res.add(ThreadScheduler.create(SPM_THREADS + "-extend", workers,
                maxHostId * MailboxLayout.SLOTS + 1024));
        SpmMailbox spm = res.add(new SpmMailbox(domain, policy, maxHostId, inbox, outbox, extend));
        spm.start();
        return spm;
    }

    /** A side's counters, as the results name them. */
    static Map<String, Object> counters(MailboxCounters c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", c.requests());
        m.put("replies", c.replies());
        m.put("failures", c.failures());
        m.put("timeouts", c.timeouts());
        m.put("duplicates", c.duplicates());
        m.put("resends", c.resends());
        m.put("adopted", c.adopted());
        m.put("rejected_blocks", c.rejectedBlocks());
        m.put("rejected_messages", c.rejectedMessages());
        m.put("scans", c.scans());
        m.put("events", c.events());
        m.put("errors", c.errors());
        m.put("latency_p50_us_bucketed", c.latencyP50Micros());
        m.put("latency_p99_us_bucketed", c.latencyP99Micros());
        return m;
    }

    // ---- output --------------------------------------------------------------------------------

    /**
     * Rows as a text table, the first row the heading, columns as wide as their widest cell
     * (null shows as "-"), right-aligned where {@code rightAligned} says.
     */
    static String table(List<String[]> rows, IntPredicate rightAligned) {
        int columns = rows.stream().mapToInt(c -> c.length).max().orElse(0);
        int[] width = new int[columns];
        for (String[] c : rows) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i] == null ? 1 : c[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int line = 0; line < rows.size(); line++) {
            String[] c = rows.get(line);
            for (int i = 0; i < c.length; i++) {
                String f = "%" + (rightAligned.test(i) ? "" : "-") + width[i] + "s";
                b.append(i == 0 ? "" : " | ").append(String.format(f, c[i] == null ? "-" : c[i]));
            }
            b.append('\n');
            if (line == 0) {
                List<String> rules = new ArrayList<>();
                for (int w : width) {
                    rules.add("-".repeat(w));
                }
                b.append(String.join("-+-", rules)).append('\n');
            }
        }
        return b.toString();
    }

    static void writeJson(Path file, Object results) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
    }

    // ---- clean-up ------------------------------------------------------------------------------

    /** Deletes a directory tree, reporting (not throwing) what could not be deleted. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("benchmark: could not delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("benchmark: could not delete " + dir + ": " + e);
        }
    }
}
