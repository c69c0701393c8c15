package org.headroom.bench;

import static org.headroom.bench.BenchSupport.percentileOf;
import static org.headroom.bench.BenchSupport.round;
import static org.headroom.bench.BenchSupport.summary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.headroom.thinextend.ExtensionRecord;

/**
 * The figures of one guest run of the thin-extend benchmark, filled in by {@link GuestRunner}: the
 * guest's own account (console), the hypervisor's events, and every extension as the volume
 * monitor told of it ({@link ExtensionRecord}), with the monitor's status at the end.
 */
final class RunResult {
    /**
     * One completed extension.
     *
     * @param startSeconds    when its trigger came, seconds since the guest's first write (this host's clock)
     * @param record          the monitor's record: trigger, rule, sizes, and its timings
     * @param eventToRearmedMs the harness's own timing, trigger event (as it saw the hypervisor's event) to the
     *                        record, null when no event preceded it (a periodic check found it)
     */
    record Extension(double startSeconds, ExtensionRecord record, Double eventToRearmedMs) {
        double totalMs() {
            return record.totalNanos() / 1e6;
        }
    }

    /** The stages of an extension, as the monitor times them. */
    enum Stage {
        WAIT(r -> r.waitNanos()), EXTEND(r -> r.extendNanos()), REFRESH(r -> r.refreshNanos()),
        REARM(r -> r.rearmNanos()), TOTAL(r -> r.totalNanos());

        private final ToDoubleFunction<ExtensionRecord> nanos;

        Stage(ToDoubleFunction<ExtensionRecord> nanos) {
            this.nanos = nanos;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    final String scenario;
    final String label;
    final ExtendSetup setup;
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
    // The monitor's status at the end of the run.
    long extensions;
    long monitorPauses;
    long failures;
    long stale;
    long refused;
    String health;
    double statusP50;
    double statusP99;
    // The hypervisor's events.
    long outOfSpace;
    long stops;
    long resumes;
    long thresholdEvents;
    // The drive at the end.
    String finalState;
    String finalProblem;
    long finalVolumeMiB;
    String check;
    Map<String, Object> spmCounters;
    Map<String, Object> hostCounters;
    /** Time since the guest's first write (s), guest time (s), MiB written. */
    final List<double[]> progress = new ArrayList<>();
    final List<Extension> completed = new ArrayList<>();
    final List<Double> pauseTimes = new ArrayList<>();

    RunResult(String scenario, String label, ExtendSetup setup, int sizeMiB, int rate, boolean preallocated) {
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

    /** The stage's times of every extension, ms. */
    List<Double> ms(Stage stage) {
        return completed.stream().map(e -> stage.nanos.applyAsDouble(e.record()) / 1e6).toList();
    }

    /** The {@code pct}-th percentile of a stage, ms; null without extensions. */
    Double p(Stage stage, double pct) {
        return percentileOf(ms(stage), pct);
    }

    /** Extension latency (the monitor's total: trigger to re-armed), the {@code pct}-th percentile. */
    Double p(double pct) {
        return p(Stage.TOTAL, pct);
    }

    List<Double> eventToRearmedMs() {
        return completed.stream().map(Extension::eventToRearmedMs).filter(m -> m != null).toList();
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
            if (!completed.isEmpty()) {
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
        m.put("stale_results", stale);
        m.put("refused", refused);
        m.put("monitor_health", health);
        m.put("threshold_events", thresholdEvents);
        m.put("latency", summary(ms(Stage.TOTAL)));
        Map<String, Object> stages = new LinkedHashMap<>();
        for (Stage s : Stage.values()) {
            if (!completed.isEmpty()) {
                stages.put(s.key() + "_p50_ms", p(s, 50));
                stages.put(s.key() + "_p99_ms", p(s, 99));
            }
        }
        m.put("breakdown", stages);
        m.put("event_to_rearmed", summary(eventToRearmedMs()));
        m.put("monitor_status_p50_ms", round(statusP50));
        m.put("monitor_status_p99_ms", round(statusP99));
        m.put("final_state", finalState);
        m.put("final_problem", finalProblem);
        m.put("final_volume_mib", finalVolumeMiB);
        m.put("qemu_img_check", check);
        m.put("spm_mailbox", spmCounters);
        m.put("host_mailbox", hostCounters);
        m.put("pause_times_s", pauseTimes);
        m.put("extension_records", completed.stream().map(RunResult::json).toList());
        m.put("progress_t_guestt_mib", progress);
        return m;
    }

    private static Map<String, Object> json(Extension e) {
        ExtensionRecord r = e.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("start_s", e.startSeconds());
        m.put("trigger", r.trigger());
        m.put("rule", r.rule());
        m.put("from_mib", r.fromSize() / ExtendSetup.MIB);
        m.put("to_mib", r.toSize() / ExtendSetup.MIB);
        for (Stage s : Stage.values()) {
            m.put(s.key() + "_ms", round(s.nanos.applyAsDouble(r) / 1e6));
        }
        m.put("event_to_rearmed_ms", e.eventToRearmedMs());
        m.put("resumed", r.resumed());
        m.put("late", r.late());
        return m;
    }
}
