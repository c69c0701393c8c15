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
 *     │                                                                                 ├─ no reply in time: again, up to maxAttempts
 *  DISABLED: at its largest size, no longer watched     FAILED: reported, the VM left as it is ◀─┘
 * </pre>
 * Triggers while an extension is under way join it; a VM paused for lack of space is resumed
 * when the extension it waits for is done, and never after a failed one.
 */
public final class DriveMonitor {

    public enum State { UNSET, ARMED, EXTENDING, DISABLED, FAILED }

    /** What the monitor must do. */
    public sealed interface Action {
        /** Arm the write threshold (0: clear it). */
        record Arm(long threshold) implements Action {
        }

        /** Ask the SPM for {@code size} bytes; {@code attempt} counts from 1. */
        record Extend(long size, int attempt) implements Action {
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

    /** Settings of the monitor that shape the state machine. */
    public record Settings(long extendTimeoutNanos, int maxAttempts) {
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
    private long extendingTo;
    private long extendStartedNanos;
    private long triggeredNanos;
    private int attempts;
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
            case EXTENDING -> retryIfLate(now, actions);
            case DISABLED, FAILED -> {
                // Nothing to do until the admin acts (headroom:extend) or the drive changes hands.
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
            startExtension(now, actions);
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
            startExtension(now, actions);
        }
        return actions;
    }

    /** The VM runs again (resumed by us or by someone else). */
    public void onResumed() {
        pausedForSpace = false;
    }

    /**
     * The SPM extended the volume and this host refreshed it: {@code physical} is the size the
     * hypervisor now sees. Re-arms, and resumes a VM that was waiting for this.
     */
    public List<Action> onExtended(long now, long physical) {
        List<Action> actions = new ArrayList<>();
        if (state != State.EXTENDING) {
            return actions;
        }
        if (physical < extendingTo) {
            failed("the volume is " + physical + " bytes after extending to " + extendingTo, actions);
            return actions;
        }
        extensions++;
        latency.add(now - triggeredNanos);
        sizes = new DriveSizes(sizes.capacity(), physical, sizes.allocation(), sizes.replica());
        attempts = 0;
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

    /** The extension failed. A retryable failure (no answer) is tried again, up to the limit. */
    public List<Action> onExtendFailed(long now, String why, boolean retryable) {
        List<Action> actions = new ArrayList<>();
        if (state != State.EXTENDING) {
            return actions;
        }
        if (retryable && attempts < settings.maxAttempts()) {
            attempts++;
            extendStartedNanos = now;
            actions.add(new Action.Extend(extendingTo, attempts));
        } else {
            failed(why, actions);
        }
        return actions;
    }

    /** An admin asked for an extension (headroom:extend): also the way out of FAILED. */
    public List<Action> onExtendRequested(long now, long size) {
        List<Action> actions = new ArrayList<>();
        if (state == State.EXTENDING) {
            return actions;
        }
        long target = Math.min(ExtensionPolicy.roundUpMiB(size), policy.maxSize(sizes.capacity()));
        if (target <= sizes.physical()) {
            return actions;
        }
        begin(now, target, actions);
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
            failed("allocation " + sizes.allocation() + " is beyond the next size " + policy.nextSize(sizes, learned)
                    + ": improbable, not extending", actions);
            actions.add(new Action.Pause("improbable allocation"));
            return;
        }
        if (policy.needsExtension(sizes, learned)) {
            startExtension(now, actions);
            return;
        }
        long threshold = policy.threshold(sizes, learned);
        state = State.ARMED;
        if (armed != threshold) {
            armed = threshold;
            actions.add(new Action.Arm(threshold));
        }
    }

    private void startExtension(long now, List<Action> actions) {
        begin(now, policy.nextSize(sizes, learned()), actions);
    }

    private void begin(long now, long size, List<Action> actions) {
        state = State.EXTENDING;
        extendingTo = size;
        triggeredNanos = now;
        extendStartedNanos = now;
        attempts = 1;
        actions.add(new Action.Extend(size, 1));
    }

    private void retryIfLate(long now, List<Action> actions) {
        if (now - extendStartedNanos < settings.extendTimeoutNanos()) {
            return;
        }
        if (attempts < settings.maxAttempts()) {
            attempts++;
            extendStartedNanos = now;
            actions.add(new Action.Extend(extendingTo, attempts));
        } else {
            failed("no reply after " + attempts + " attempts", actions);
        }
    }

    private void failed(String why, List<Action> actions) {
        state = State.FAILED;
        failures++;
        problem = why;
        actions.add(new Action.Report("extending " + drive + (extendingTo > 0 ? " to " + extendingTo + " bytes" : "")
                + " failed: " + why + (pausedForSpace ? "; the VM stays paused" : "")));
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
