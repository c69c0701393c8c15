package org.headroom.thinextend.internal;

import java.util.ArrayList;
import java.util.List;
import org.headroom.api.hypervisor.DriveRef;

/**
 * One thin drive's state machine. Pure: every input is a call with the time (nanoseconds of the
 * monitor's clock) and returns the actions to take; the monitor does the I/O and reports back.
 *
 * <pre>
 *   UNSET ──check──▶ ARMED ──threshold crossed / out of space / check finds it low──▶ EXTENDING
 *     ▲                ▲                                                                │
 *     │                └──────────────── extended: re-arm (and resume) ◀────────────────┤
 *     │                                                                                 │ refused, or no
 *  DISABLED: at its largest size, no longer watched     FAILED: reported ◀──────────────┘ answer by the deadline
 * </pre>
 *
 * <p>Every extension has an identity ({@link Action.Extend#id}), and only the answer to the
 * current one counts: the monitor hands it back with each result, and a result of an older
 * extension (a late reply after a newer extension began, a drive that was dropped and found
 * again) is ignored. Re-sending a request that got no answer is the mailbox's job alone; the state
 * machine keeps one deadline, the extend service's own (when the service should have failed the
 * request itself), and then reports the drive failed. A failure the SPM answered (it refused) is
 * final until an admin acts; one with no answer is asked again, as a new extension, no sooner than
 * one deadline later. A success that arrives after the deadline still completes the extension:
 * re-armed, the VM resumed.
 *
 * <p>Triggers while an extension is under way join it; a VM paused for lack of space is resumed
 * when the extension it waits for is done, and never after a failed one.
 */
public final class DriveMonitor {

    public enum State { UNSET, ARMED, EXTENDING, DISABLED, FAILED }

    /** What started an extension. */
    public enum Trigger {
        /** The write threshold fired. */
        THRESHOLD,
        /** A write failed for lack of space: the VM is paused. */
        OUT_OF_SPACE,
        /** A reading found less free space than the policy keeps (an event lost, or the first reading). */
        CHECK,
        /** An admin asked (headroom:extend). */
        ADMIN,
        /** The previous extension got no answer: asked again as a new one. */
        RETRY
    }

    /** What the monitor must do. */
    public sealed interface Action {
        /** Arm the write threshold (0: clear it). */
        record Arm(long threshold) implements Action {
        }

        /** Ask the SPM for {@code size} bytes: extension {@code id} of this drive, chosen by {@code rule}. */
        record Extend(long id, long size, Trigger trigger, String rule) implements Action {
        }

        /** Resume the VM, which was paused for lack of space on this drive. */
        record Resume() implements Action {
        }

        /** Pause the VM: its allocation cannot be right, extending would not help. */
        record Pause(String why) implements Action {
        }

        /** Tell the admin: a failed extension, an improbable allocation. */
        record Report(String problem) implements Action {
        }
    }

    /**
     * @param deadlineNanos how long an extension may go unanswered before it is reported failed:
     *                      the extend service's own reply timeout, plus a margin
     */
    public record Settings(long deadlineNanos) {
        public Settings {
            if (deadlineNanos <= 0) {
                throw new IllegalArgumentException("the extension deadline must be positive: " + deadlineNanos);
            }
        }
    }

    private final DriveRef drive;
    private final ExtensionPolicy policy;
    private final Settings settings;
    private final RateEstimator rate = new RateEstimator();
    private final LatencyWindow latency = new LatencyWindow(8);

    private State state = State.UNSET;
    private DriveSizes sizes;
    private long armed;
    private boolean pausedForSpace;
    /** The current (or last) extension's identity; 0 before the first. */
    private long extension;
    private long extendingTo;
    private long triggeredNanos;
    private Trigger trigger;
    private String rule = "";
    /** The last failure had no answer (may be asked again); a refusal is final. */
    private boolean retryable;
    private long failedNanos;
    private String problem = "";
    private long extensions;
    private long pauses;
    private long failures;

    public DriveMonitor(DriveRef drive, ExtensionPolicy policy, Settings settings, DriveSizes initial) {
        this.drive = drive;
        this.policy = policy;
        this.settings = settings;
        this.sizes = initial;
    }

    /** A fresh reading of the drive (the periodic check, or after attaching): catches lost events. */
    public List<Action> onReading(long now, DriveSizes reading, long armedThreshold) {
        sizes = reading;
        armed = armedThreshold;
        rate.observe(now, reading.allocation());
        List<Action> actions = new ArrayList<>();
        switch (state) {
            case EXTENDING -> {
                if (now - triggeredNanos > settings.deadlineNanos()) {
                    failed(now, "no answer within " + settings.deadlineNanos() / 1_000_000 + " ms", true, actions);
                }
            }
            case FAILED -> {
                if (retryable && now - failedNanos >= settings.deadlineNanos()
                        && (pausedForSpace || policy.needsExtension(sizes, learned()))) {
                    startExtension(now, Trigger.RETRY, actions);
                }
            }
            case DISABLED -> {
                // At its largest size: nothing more to do for this drive.
            }
            case UNSET, ARMED -> check(now, actions);
        }
        return actions;
    }

    /** The write threshold fired: the guest is near the end of the volume. */
    public List<Action> onThresholdCrossed(long now) {
        List<Action> actions = new ArrayList<>();
        armed = 0;
        if (state == State.UNSET || state == State.ARMED) {
            startExtension(now, Trigger.THRESHOLD, actions);
        }
        return actions;
    }

    /** A write failed for lack of space; the VM pauses (werror=enospc). */
    public List<Action> onOutOfSpace(long now) {
        List<Action> actions = new ArrayList<>();
        if (!pausedForSpace) {
            pauses++;
        }
        pausedForSpace = true;
        if (state == State.UNSET || state == State.ARMED) {
            startExtension(now, Trigger.OUT_OF_SPACE, actions);
        }
        return actions;
    }

    /** The VM runs again (resumed by us or by someone else). */
    public void onResumed() {
        pausedForSpace = false;
    }

    /** Whether {@code id} is the extension whose result still counts. */
    public boolean current(long id) {
        return id == extension && (state == State.EXTENDING || (state == State.FAILED && retryable));
    }

    /**
     * Extension {@code id} is done and this host refreshed the volume: {@code physical} is the size
     * the hypervisor now sees. Re-arms, and resumes a VM that was waiting for this. The result of
     * any other than the current extension is ignored.
     */
    public List<Action> onExtended(long now, long id, long physical) {
        List<Action> actions = new ArrayList<>();
        if (!current(id)) {
            return actions;
        }
        if (physical < extendingTo) {
            failed(now, "the volume is " + physical + " bytes after extending to " + extendingTo, true, actions);
            return actions;
        }
        extensions++;
        latency.add(now - triggeredNanos);
        sizes = new DriveSizes(sizes.capacity(), physical, sizes.allocation(), sizes.replica());
        problem = "";
        if (physical >= policy.maxSize(sizes.capacity())) {
            state = State.DISABLED;
        } else {
            state = State.ARMED;
            armed = policy.threshold(sizes, learned());
            actions.add(new Action.Arm(armed));
        }
        if (pausedForSpace) {
            pausedForSpace = false;
            actions.add(new Action.Resume());
        }
        return actions;
    }

    /**
     * Extension {@code id} failed. {@code answered}: the SPM refused it (final until an admin acts);
     * otherwise nobody answered in time (asked again, as a new extension, one deadline later).
     */
    public List<Action> onExtendFailed(long now, long id, String why, boolean answered) {
        List<Action> actions = new ArrayList<>();
        if (id == extension && state == State.EXTENDING) {
            failed(now, why, !answered, actions);
        }
        return actions;
    }

    /** An admin asked for an extension (headroom:extend): also the way out of FAILED. */
    public List<Action> onExtendRequested(long now, long size) {
        List<Action> actions = new ArrayList<>();
        if (state == State.EXTENDING) {
            return actions;
        }
        long max = policy.maxSize(sizes.capacity());
        long wanted = ExtensionPolicy.roundUpMiB(size);
        long target = Math.min(wanted, max);
        if (target <= sizes.physical()) {
            return actions;
        }
        begin(now, target, Trigger.ADMIN, wanted > max ? "asked by an admin, capped at 1.1 x capacity (" + max / (1 << 20)
                + " MiB)" : "asked by an admin", actions);
        return actions;
    }

    private void check(long now, List<Action> actions) {
        Learned learned = learned();
        if (sizes.physical() >= policy.maxSize(sizes.capacity())) {
            state = State.DISABLED;
            if (armed != 0) {
                actions.add(new Action.Arm(0));
            }
            return;
        }
        if (policy.improbable(sizes, learned)) {
            failed(now, "allocation " + sizes.allocation() + " is beyond the next size " + policy.nextSize(sizes, learned)
                    + ": improbable, not extending", false, actions);
            actions.add(new Action.Pause("improbable allocation"));
            return;
        }
        if (policy.needsExtension(sizes, learned)) {
            startExtension(now, Trigger.CHECK, actions);
            return;
        }
        long threshold = policy.threshold(sizes, learned);
        state = State.ARMED;
        if (armed != threshold) {
            armed = threshold;
            actions.add(new Action.Arm(threshold));
        }
    }

    private void startExtension(long now, Trigger why, List<Action> actions) {
        ExtensionPolicy.Step step = policy.next(sizes, learned());
        begin(now, step.size(), why, step.rule(), actions);
    }

    private void begin(long now, long size, Trigger why, String chosenBy, List<Action> actions) {
        state = State.EXTENDING;
        extension++;
        extendingTo = size;
        triggeredNanos = now;
        trigger = why;
        rule = chosenBy;
        retryable = false;
        actions.add(new Action.Extend(extension, size, why, chosenBy));
    }

    private void failed(long now, String why, boolean mayRetry, List<Action> actions) {
        state = State.FAILED;
        failures++;
        retryable = mayRetry;
        failedNanos = now;
        problem = why;
        actions.add(new Action.Report("extending " + drive + (extendingTo > 0 ? " to " + extendingTo / (1 << 20) + " MiB" : "")
                + " failed: " + why + (pausedForSpace ? "; the VM stays paused" : "")
                + (mayRetry ? "; asked again in " + settings.deadlineNanos() / 1_000_000 + " ms if still needed" : "")));
    }

    public Learned learned() {
        return new Learned(rate.rate(), latency.max() / 1e9);
    }

    public DriveRef drive() {
        return drive;
    }

    public State state() {
        return state;
    }

    public DriveSizes sizes() {
        return sizes;
    }

    public long armedThreshold() {
        return armed;
    }

    public boolean pausedForSpace() {
        return pausedForSpace;
    }

    /** The current (or last) extension's identity. */
    public long extension() {
        return extension;
    }

    /** What started the current (or last) extension; null before the first. */
    public Trigger trigger() {
        return trigger;
    }

    /** The rule that chose the current (or last) extension's size. */
    public String rule() {
        return rule;
    }

    public long extendingTo() {
        return extendingTo;
    }

    /** When what started the current (or last) extension happened: the event's time, not the monitor's. */
    public long triggeredNanos() {
        return triggeredNanos;
    }

    public long extensions() {
        return extensions;
    }

    public long pauses() {
        return pauses;
    }

    public long failures() {
        return failures;
    }

    public String problem() {
        return problem;
    }

    public ExtensionPolicy policy() {
        return policy;
    }

    /** The latest extension latencies, event to re-armed. */
    static final class LatencyWindow {
        private final long[] samples;
        private int count;

        LatencyWindow(int size) {
            samples = new long[size];
        }

        void add(long nanos) {
            samples[count++ % samples.length] = nanos;
        }

        long max() {
            long max = 0;
            for (int i = 0; i < Math.min(count, samples.length); i++) {
                max = Math.max(max, samples[i]);
            }
            return max;
        }
    }
}
