package org.headroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What the end-to-end benchmarks share: percentiles, rounding, the machine's load, clean-up. */
final class BenchSupport {
    private BenchSupport() {
    }

    /** The smallest sample at least {@code p} % of the samples are not above (nearest rank). */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Two decimals, for reports. */
    static double round(double d) {
        return Math.round(d * 100.0) / 100.0;
    }

    /** The 1, 5 and 15 minute load averages, or "?". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

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
