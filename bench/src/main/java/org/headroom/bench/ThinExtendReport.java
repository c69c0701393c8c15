package org.headroom.bench;

import static org.headroom.bench.ScenarioResults.rateName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.headroom.bench.RunResult.Stage;
import org.headroom.bench.ScenarioResults.Chunks;
import org.headroom.bench.ScenarioResults.ChunksPolicy;
import org.headroom.bench.ScenarioResults.Sweep;
import org.headroom.bench.ScenarioResults.SweepPolicy;

/**
 * The thin-extend benchmark's results in words: a table per scenario, the goals and whether they
 * were met, and what in the runs a reader should look at.
 *
 * @param latency     scenario (a), empty if it did not run
 * @param sweep       scenario (b), or null
 * @param chunks      scenario (c), or null
 * @param latencyChunkMiB the chunk of (a)
 * @param utilization the chunk policies' utilization %
 * @param wanted      the extensions each run of (a) was to cause
 */
record ThinExtendReport(List<RunResult> latency, Sweep sweep, Chunks chunks, int latencyChunkMiB, int utilization, int wanted) {

    /** Every guest run, in the order they ran. */
    List<RunResult> all() {
        List<RunResult> all = new ArrayList<>(latency);
        if (sweep != null) {
            all.addAll(sweep.limit());
            sweep.policies().values().forEach(p -> all.addAll(p.tried()));
        }
        if (chunks != null) {
            chunks.policies().values().forEach(p -> all.addAll(p.tried()));
        }
        return all;
    }

    String tables() {
        StringBuilder b = new StringBuilder();
        if (!latency.isEmpty()) {
            b.append(latencyTable()).append('\n');
        }
        if (sweep != null) {
            b.append(sweepTable()).append('\n');
        }
        if (chunks != null) {
            b.append(chunksTable()).append('\n');
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"goal", "figure", "met?"});
        for (Map<String, Object> g : goals()) {
            rows.add(new String[] {(String) g.get("goal"), (String) g.get("figure"), (Boolean) g.get("met") ? "yes" : "NO"});
        }
        return b.append("goals\n").append(BenchSupport.table(rows, i -> i > 0)).toString();
    }

    private String latencyTable() {
        RunResult first = latency.get(0);
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("metric"));
        latency.forEach(r -> head.add(r.label));
        rows.add(head.toArray(String[]::new));
        rows.add(row("extensions", r -> Long.toString(r.extensions)));
        rows.add(row("pauses (ENOSPC events)", r -> Long.toString(r.outOfSpace)));
        rows.add(row("VM stops", r -> Long.toString(r.stops)));
        rows.add(row("latency p50 (ms, trigger -> re-armed)", r -> fmt(r.p(50))));
        rows.add(row("latency p99 (ms, trigger -> re-armed)", r -> fmt(r.p(99))));
        rows.add(row("latency max (ms, trigger -> re-armed)", r -> fmt(r.p(100))));
        rows.add(row("monitor status p50/p99 (ms)", r -> fmt(r.statusP50) + " / " + fmt(r.statusP99)));
        rows.add(row("p50 wait / extend / refresh / re-arm (ms)", r -> stages(r, 50)));
        rows.add(row("p99 wait / extend / refresh / re-arm (ms)", r -> stages(r, 99)));
        rows.add(row("event -> re-armed p50/p99 (ms, harness)", r -> fmt(BenchSupport.percentileOf(r.eventToRearmedMs(), 50))
                + " / " + fmt(BenchSupport.percentileOf(r.eventToRearmedMs(), 99))));
        rows.add(row("guest rate (MiB/s)", r -> fmt(r.guestRate)));
        rows.add(row("rate, host clock (MiB/s)", r -> fmt(r.hostRate)));
        rows.add(row("mailbox", r -> r.setup.mailbox().name()));
        return String.format(Locale.ROOT, "(a) extension latency: chunk %d MiB at %d %%, guest unthrottled, %d MiB written%n",
                latencyChunkMiB, utilization, first.sizeMiB)
                + BenchSupport.table(rows, i -> i > 0);
    }

    private static String stages(RunResult r, double pct) {
        return String.join(" / ", List.of(fmt(r.p(Stage.WAIT, pct)), fmt(r.p(Stage.EXTEND, pct)), fmt(r.p(Stage.REFRESH, pct)),
                fmt(r.p(Stage.REARM, pct))));
    }

    private String[] row(String metric, Function<RunResult, String> cell) {
        List<String> c = new ArrayList<>(List.of(metric));
        latency.forEach(r -> c.add(cell.apply(r)));
        return c.toArray(String[]::new);
    }

    private String sweepTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "(b) rate sweep: chunk %d MiB at %d %%, %d MiB per run; cells: pauses / achieved MiB/s "
                + "(guest's DONE line; this host's clock where it paused)%n", sweep.chunkMiB(), utilization, sweep.sizeMiB()));
        b.append(String.format(Locale.ROOT, "    limit (fully allocated volume, no extension): %s MiB/s, median of runs: %s%n",
                fmt(sweep.limitRate()), String.join(", ", sweep.limit().stream().map(r -> r.error != null ? "error" : fmt(r.guestRate)).toList())));
        b.append("    unthrottled (max): each run follows a limit run; best = the median of the runs at that rate\n");
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("policy"));
        sweep.rates().forEach(rt -> head.add("rate " + rateName(rt)));
        head.addAll(List.of("best 0-pause", "% of limit", "paired % (median)"));
        rows.add(head.toArray(String[]::new));
        for (Map.Entry<String, SweepPolicy> e : sweep.policies().entrySet()) {
            SweepPolicy p = e.getValue();
            List<String> c = new ArrayList<>(List.of(e.getKey()));
            for (int rate : sweep.rates()) {
                List<RunResult> at = p.tried().stream().filter(r -> r.rate == rate).toList();
                if (at.isEmpty()) {
                    c.add("(skipped)");
                } else if (at.stream().anyMatch(r -> r.error != null)) {
                    c.add("error");
                } else {
                    long pauses = at.stream().mapToLong(RunResult::pauses).sum();
                    Double host = at.stream().filter(r -> r.pauses() > 0 && r.hostRate != null).map(r -> r.hostRate).findFirst().orElse(null);
                    c.add(pauses + " / " + String.join(",", at.stream().map(r -> fmt(r.guestRate)).toList())
                            + (host != null ? " (host " + fmt(host) + ")" : ""));
                }
            }
            Double best = p.bestAchieved();
            c.add(best == null ? "none" : p.bestRateName() + " (" + fmt(best) + ")");
            c.add(fmt(sweep.percentOfLimit(p)));
            c.add(p.pairedMedian() == null ? "-" : fmt(p.pairedMedian()) + " ("
                    + String.join(", ", p.pairRatios().stream().map(ThinExtendReport::fmt).toList()) + ")");
            rows.add(c.toArray(String[]::new));
        }
        return b.append(BenchSupport.table(rows, i -> i > 0)).toString();
    }

    private String chunksTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "(c) smallest chunk with no pause, guest unthrottled, (%d + 1) chunks written; "
                + "cells: pauses / extensions / latency p99 ms%n", chunks.extensions()));
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("policy"));
        chunks.chunksMiB().forEach(c -> head.add(c + " MiB"));
        head.add("smallest 0-pause chunk");
        rows.add(head.toArray(String[]::new));
        for (Map.Entry<String, ChunksPolicy> e : chunks.policies().entrySet()) {
            ChunksPolicy p = e.getValue();
            List<String> c = new ArrayList<>(List.of(e.getKey()));
            for (int chunk : chunks.chunksMiB()) {
                RunResult r = p.tried().stream().filter(t -> t.chunkMiB == chunk).findFirst().orElse(null);
                c.add(r == null ? "(skipped)" : r.error != null ? "error" : r.pauses() + " / " + r.extensions + " / " + fmt(r.p(99)));
            }
            c.add(p.smallestMiB() == null ? "none of these" : p.smallestMiB() + " MiB");
            rows.add(c.toArray(String[]::new));
        }
        return b.append(BenchSupport.table(rows, i -> i > 0)).toString();
    }

    List<Map<String, Object>> goals() {
        List<Map<String, Object>> goals = new ArrayList<>();
        RunResult h = latency.stream().filter(r -> r.label.equals("headroom") || r.label.equals("default")).findFirst().orElse(null);
        RunResult v = latency.stream().filter(r -> r.label.startsWith("vdsm")).findFirst().orElse(null);
        if (h != null) {
            Double p50 = h.p(50);
            Double p99 = h.p(99);
            goals.add(goal("(a) headroom extension latency p50 <= 20 ms", fmt(p50) + " ms", p50 != null && p50 <= 20));
            goals.add(goal("(a) headroom extension latency p99 <= 100 ms", fmt(p99) + " ms", p99 != null && p99 <= 100));
            goals.add(goal("(a) each policy caused >= " + wanted + " extensions",
                    String.join(", ", latency.stream().map(r -> r.label + " " + r.extensions).toList()),
                    latency.stream().allMatch(r -> r.extensions >= wanted)));
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
            SweepPolicy d = sweep.policies().get("default");
            SweepPolicy vd = sweep.policies().get("vdsm-policy");
            if (d != null) {
                Double pct = sweep.percentOfLimit(d);
                Double paired = d.pairedMedian();
                goals.add(goal("(b) default: best 0-pause rate >= 95 % of the limit", pct == null ? "none"
                                : String.format(Locale.ROOT, "%s %% (%s of %s MiB/s, at %s)%s", fmt(pct), fmt(d.bestAchieved()),
                                fmt(sweep.limitRate()), d.bestRateName(), paired == null ? "" : "; paired median " + fmt(paired) + " %"),
                        pct != null && pct >= 95));
            }
            if (vd != null) {
                String pausedAt = vd.pausedAt();
                goals.add(goal("(b) ... at a chunk (" + sweep.chunkMiB() + " MiB) where vdsm-policy pauses",
                        pausedAt == null ? "no pause at any rate tried (" + vd.stoppedBy() + ")"
                                : "vdsm-policy stopped at " + vd.stoppedBy(), pausedAt != null));
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

    /** Anything in the runs that a reader should look at. */
    List<String> oddities() {
        List<String> oddities = new ArrayList<>();
        List<RunResult> all = all();
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
            Double p50 = r.p(50);
            Double p99 = r.p(99);
            if (p50 != null && (Math.abs(p50 - r.statusP50) > 0.05 || Math.abs(p99 - r.statusP99) > 0.05)) {
                oddities.add(String.format(Locale.ROOT, "%s: the records' p50/p99 %s/%s ms differ from the monitor status' %s/%s ms",
                        where, fmt(p50), fmt(p99), fmt(r.statusP50), fmt(r.statusP99)));
            }
            if (r.stops > r.outOfSpace) {
                oddities.add(where + ": " + r.stops + " VM stops but " + r.outOfSpace
                        + " ENOSPC events (QEMU rate-limits BLOCK_IO_ERROR): pauses counted as stops");
            }
            if (r.failures > 0) {
                oddities.add(where + ": " + r.failures + " failed extensions (" + r.finalProblem + ")");
            }
            if (r.stale > 0 || r.refused > 0) {
                oddities.add(where + ": the monitor dropped " + r.stale + " stale results and refused " + r.refused + " tasks");
            }
            if (r.health != null && !r.health.equals("ok")) {
                oddities.add(where + ": the monitor's health: " + r.health);
            }
            if (!r.preallocated && r.error == null && r.extensions != r.completed.size()) {
                oddities.add(where + ": the monitor counted " + r.extensions + " extensions and sent " + r.completed.size() + " records");
            }
            long late = r.completed.stream().filter(e -> e.record().late()).count();
            if (late > 0) {
                oddities.add(where + ": " + late + " extensions completed after their deadline");
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
            if (r.hostCounters != null && ((Number) r.hostCounters.get("resends")).longValue() > 0) {
                oddities.add(where + ": the host mailbox resent " + r.hostCounters.get("resends") + " times");
            }
            for (String w : r.warnings) {
                oddities.add(where + ": " + w);
            }
        }
        return oddities;
    }

    static String fmt(Double d) {
        if (d == null) {
            return "-";
        }
        return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.1f", d);
    }
}
