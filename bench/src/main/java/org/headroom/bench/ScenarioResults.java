package org.headroom.bench;

import static org.headroom.bench.BenchSupport.median;
import static org.headroom.bench.BenchSupport.round;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The thin-extend benchmark's scenarios (b) and (c) as they came out: their guest runs and what they found. */
final class ScenarioResults {
    private ScenarioResults() {
    }

    static String rateName(int rate) {
        return rate == 0 ? "max" : rate + "MiB/s";
    }

    /** The median of the guest's rates of the runs that finished; null if none did. */
    static Double medianRate(List<RunResult> runs) {
        double[] rates = runs.stream().filter(r -> r.error == null && r.guestRate != null).mapToDouble(r -> r.guestRate)
                .sorted().toArray();
        return rates.length == 0 ? null : round(median(rates));
    }

    /**
     * (b) The rate sweep: the limit runs (into a fully allocated volume) and each policy's runs.
     *
     * @param limit every limit run, the first ones and those paired with an unthrottled run
     */
    record Sweep(long chunkMiB, int sizeMiB, List<Integer> rates, int maxRepeats, List<RunResult> limit,
                 Map<String, SweepPolicy> policies) {
        Double limitRate() {
            return medianRate(limit);
        }

        Double percentOfLimit(SweepPolicy p) {
            Double best = p.bestAchieved();
            Double l = limitRate();
            return best == null || l == null ? null : round(100 * best / l);
        }

        Map<String, Object> json() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("chunk_mib", chunkMiB);
            s.put("size_mib", sizeMiB);
            s.put("rates", rates);
            s.put("max_repeats", maxRepeats);
            s.put("limit_mib_s", limitRate());
            s.put("limit_runs_mib_s", limit.stream().map(r -> r.error == null ? r.guestRate : null).toList());
            s.put("limit_runs", limit.stream().map(RunResult::json).toList());
            Map<String, Object> p = new LinkedHashMap<>();
            policies.forEach((id, policy) -> p.put(id, policy.json(percentOfLimit(policy))));
            s.put("policies", p);
            return s;
        }
    }

    /**
     * One policy's part of the sweep.
     *
     * @param tried      its runs, in order
     * @param best       the runs at the highest rate with no pause; null if the first rate paused
     * @param stoppedBy  the rate that paused or failed, and how; null if none did
     * @param pairRatios each unthrottled run's rate, % of the limit run right before it
     */
    record SweepPolicy(ExtendSetup setup, List<RunResult> tried, List<RunResult> best, String stoppedBy,
                       List<Double> pairRatios) {
        Double bestAchieved() {
            return best == null ? null : medianRate(best);
        }

        String bestRateName() {
            return best == null ? "none" : rateName(best.get(0).rate);
        }

        /** The first rate that paused; null if none did. */
        String pausedAt() {
            return tried.stream().filter(t -> t.pauses() > 0).map(t -> rateName(t.rate)).findFirst().orElse(null);
        }

        /** The median of the paired ratios when the best rate was unthrottled; null otherwise. */
        Double pairedMedian() {
            boolean unthrottled = best != null && best.get(0).rate == 0;
            return unthrottled && !pairRatios.isEmpty() ? round(median(BenchSupport.sorted(pairRatios))) : null;
        }

        Map<String, Object> json(Double percentOfLimit) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("setup", setup.describe());
            p.put("best_rate_setting", best == null ? null : best.get(0).rate);
            p.put("best_rate_setting_name", bestRateName());
            p.put("best_achieved_mib_s", bestAchieved());
            p.put("best_achieved_runs_mib_s", best == null ? List.of() : best.stream().map(r -> r.guestRate).toList());
            p.put("best_percent_of_limit", percentOfLimit);
            p.put("stopped_by", stoppedBy);
            p.put("paused_at", pausedAt());
            p.put("paired_percent_of_limit", BenchSupport.rounded(pairRatios));
            p.put("best_percent_of_paired_limit_median", pairedMedian());
            p.put("runs", tried.stream().map(RunResult::json).toList());
            return p;
        }
    }

    /** (c) The smallest chunk with no pause at the guest's full rate, per policy. */
    record Chunks(List<Integer> chunksMiB, int extensions, Map<String, ChunksPolicy> policies) {
        Map<String, Object> json() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("chunks_mib", chunksMiB);
            s.put("extensions", extensions);
            Map<String, Object> p = new LinkedHashMap<>();
            policies.forEach((id, policy) -> p.put(id, policy.json()));
            s.put("policies", p);
            return s;
        }
    }

    /** @param smallestMiB the smallest chunk that ran clean; null if none did */
    record ChunksPolicy(String mailbox, List<RunResult> tried, Integer smallestMiB) {
        Map<String, Object> json() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("mailbox", mailbox);
            p.put("smallest_chunk_mib", smallestMiB);
            p.put("runs", tried.stream().map(RunResult::json).toList());
            return p;
        }
    }
}
