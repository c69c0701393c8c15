package org.headroom.thinextend.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.migration.MigratingVolumes;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Listeners;
import org.headroom.runtime.Scheduler;
import org.headroom.thinextend.ExtensionRecord;
import org.headroom.thinextend.MonitorStatus;
import org.headroom.thinextend.VolumeMonitorService;
import org.headroom.thinextend.VolumeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volume monitor: keeps every thin drive of every hypervisor ahead of its guest's writes.
 *
 * <p>Hypervisor events (threshold crossed, out of space) and a periodic check (which catches events
 * that were lost) feed one {@link DriveMonitor} per drive; its actions become calls: an extension
 * through the {@link ExtendService} (the mailbox, or the SPM in-process), a refresh of the volume
 * on this host, a check that the hypervisor sees the new size, the threshold re-armed, the VM
 * resumed.
 *
 * <p>Threads: every state change happens on {@code monitorThread} (one thread; a fake one in
 * tests, where the clock moves only when the test moves it); the refresh, which may run losetup or
 * lvchange, runs on {@code blocking}. One extension is one {@link Extension} object, the only owner
 * of its completion: each step checks that its extension is still the drive's current one before it
 * acts, so a late reply, a drive dropped meanwhile or a second extension can never complete twice.
 */
public final class VolumeMonitor implements DriveEventListener, VolumeMonitorService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeMonitor.class);
    private static final long MIB = 1 << 20;
    /** Past the extend service's own reply timeout, the margin before the monitor calls an extension failed. */
    private static final Duration DEADLINE_MARGIN = Duration.ofSeconds(1);

    /** A watched drive: its state machine, its volume, its hypervisor, admins waiting on it, its history. */
    private static final class Watched {
        final DriveMonitor monitor;
        final VolumeRef volume;
        final Hypervisor hypervisor;
        final VolumeHistory.Entry history;
        final List<CompletableFuture<Long>> waiters = new ArrayList<>();
        /** The reading sequence when this drive was last armed or grown: older readings are stale there. */
        long changedAt;

        Watched(DriveMonitor monitor, VolumeRef volume, Hypervisor hypervisor, VolumeHistory.Entry history) {
            this.monitor = monitor;
            this.volume = volume;
            this.hypervisor = hypervisor;
            this.history = history;
        }

        DriveRef ref() {
            return monitor.drive();
        }
    }

    /** One extension of one drive, from trigger to re-armed: the owner of its completion. */
    private static final class Extension {
        final Watched watched;
        final DriveMonitor.Action.Extend request;
        final long fromSize;
        final long triggered;
        long sent;
        long replied;
        long refreshed;

        Extension(Watched watched, DriveMonitor.Action.Extend request, long now) {
            this.watched = watched;
            this.request = request;
            this.fromSize = watched.monitor.sizes().physical();
            this.triggered = now;
        }
    }

    private final ExtensionPolicy policy;
    private final DriveMonitor.Settings settings;
    private final ExtendService extender;
    private final StorageDomains storage;
    private final Scheduler monitorThread;
    private final Executor blocking;
    private final long checkIntervalNanos;
    private final List<Hypervisor> hypervisors = new CopyOnWriteArrayList<>();
    private final Map<Hypervisor, AutoCloseable> subscriptions = new HashMap<>();
    private final Map<DriveRef, Watched> drives = new HashMap<>();
    private final ExtensionStats stats = new ExtensionStats();
    private final VolumeHistory history;
    private final Listeners<Consumer<ExtensionRecord>> extensionListeners = new Listeners<>("extensions");
    /** Counts the readings of drives asked of the hypervisors, so that a reading overtaken by our own arm is known. */
    private long readings;
    /** None until the migrate bundle is there: no VM can migrate away without it. */
    private volatile MigratingVolumes migrating = (volume, size) -> CompletableFuture.completedFuture(null);
    private volatile int watchedCount;
    private volatile String health = "ok";
    private volatile boolean closed;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private Cancellable periodic;

    public VolumeMonitor(ExtensionPolicy policy, ExtendService extender, StorageDomains storage, Duration checkInterval,
                         Scheduler monitorThread, Executor blocking) {
        this(policy, extender, storage, checkInterval, monitorThread, blocking, null);
    }

    /** {@code historyFile}: where the volumes' history is kept across restarts (host-local); null: in memory. */
    public VolumeMonitor(ExtensionPolicy policy, ExtendService extender, StorageDomains storage, Duration checkInterval,
                         Scheduler monitorThread, Executor blocking, Path historyFile) {
        this.history = VolumeHistory.load(historyFile);
        this.policy = policy;
        this.settings = new DriveMonitor.Settings(extender.replyTimeout().plus(DEADLINE_MARGIN).toNanos());
        this.extender = extender;
        this.storage = storage;
        this.checkIntervalNanos = checkInterval.toNanos();
        this.monitorThread = monitorThread;
        this.blocking = blocking;
    }

    public void start() {
        onMonitorThread(this::periodicCheck);
        LOG.info("volume monitor started: {} policy, check every {} ms, an extension unanswered after {} ms is failed",
                policy.name(), checkIntervalNanos / 1_000_000, settings.deadlineNanos() / 1_000_000);
    }

    @Override
    public void close() {
        closed = true;
        synchronized (subscriptions) {
            for (AutoCloseable s : subscriptions.values()) {
                closeQuietly(s);
            }
            subscriptions.clear();
        }
        try {
            monitorThread.execute(() -> {
                if (periodic != null) {
                    periodic.cancel();
                }
                for (Watched w : drives.values()) {
                    failWaiters(w, "the volume monitor stopped");
                }
                drives.clear();
                watchedCount = 0;
                history.save();
                stopped.complete(null);
            });
        } catch (RejectedExecutionException e) {
            stopped.complete(null);
        }
    }

    /** Completes once {@link #close} has failed every admin waiting and dropped every drive. */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** A task of the monitor's thread failed: the monitor says so in its status until it is restarted. */
    public void broken(Throwable t) {
        health = "broken: " + t;
    }

    /** Who refreshes destinations of migrating VMs first; null: no migration can be under way. */
    public void migratingVolumes(MigratingVolumes volumes) {
        migrating = volumes != null ? volumes : (volume, size) -> CompletableFuture.completedFuture(null);
    }

    public void addHypervisor(Hypervisor hypervisor) {
        hypervisors.add(hypervisor);
        synchronized (subscriptions) {
            subscriptions.put(hypervisor, hypervisor.subscribe(this));
        }
        onMonitorThread(this::checkAll);
    }

    public void removeHypervisor(Hypervisor hypervisor) {
        hypervisors.remove(hypervisor);
        synchronized (subscriptions) {
            AutoCloseable s = subscriptions.remove(hypervisor);
            if (s != null) {
                closeQuietly(s);
            }
        }
        onMonitorThread(() -> drop(w -> w.hypervisor == hypervisor, "its hypervisor went away"));
    }

    // ---- the service -------------------------------------------------------------------------

    @Override
    public CompletableFuture<List<VolumeStatus>> volumes() {
        return volumes(false);
    }

    @Override
    public CompletableFuture<List<VolumeStatus>> volumes(boolean all) {
        return CompletableFuture.supplyAsync(() -> {
            List<VolumeStatus> list = new ArrayList<>();
            java.util.Set<VolumeRef> watchedNow = new java.util.HashSet<>();
            for (Watched w : drives.values()) {
                list.add(status(w));
                watchedNow.add(w.volume);
            }
            if (all) {
                for (VolumeHistory.Entry e : history.entries()) {
                    if (!watchedNow.contains(e.volume)) {
                        list.add(new VolumeStatus(e.drive, e.volume, false, policy.name(), "stopped", e.capacity, e.physical,
                                0, 0, e.extensions, e.pauses, e.failures, e.lastMillis, e.trigger, e.rule, e.problem));
                    }
                }
            }
            list.sort((a, b) -> a.drive().toString().compareTo(b.drive().toString()));
            return list;
        }, monitorThread);
    }

    private VolumeStatus status(Watched w) {
        DriveMonitor m = w.monitor;
        DriveSizes s = m.sizes();
        VolumeHistory.Entry h = w.history;
        return new VolumeStatus(m.drive(), w.volume, true, policy.name(), m.state().name().toLowerCase(Locale.ROOT),
                s.capacity(), s.physical(), s.allocation(), m.armedThreshold(), h.extensions, h.pauses, h.failures,
                h.lastMillis, m.trigger() == null ? h.trigger : name(m.trigger()), m.trigger() == null ? h.rule : m.rule(),
                m.problem());
    }

    @Override
    public MonitorStatus status() {
        return new MonitorStatus(policy.name(), watchedCount, stats.extensions(), stats.pauses(), stats.failures(),
                stats.stale(), stats.rejected(), stats.percentileMillis(50), stats.percentileMillis(99), health);
    }

    @Override
    public AutoCloseable onExtension(Consumer<ExtensionRecord> listener) {
        return extensionListeners.add(listener);
    }

    @Override
    public CompletableFuture<Long> extend(DriveRef drive, long size) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        try {
            monitorThread.execute(() -> {
                Watched w = drives.get(drive);
                if (w == null) {
                    done.completeExceptionally(new IllegalArgumentException("no thin drive " + drive
                            + " is watched (see headroom:volumes)"));
                    return;
                }
                DriveMonitor m = w.monitor;
                long target = size > 0 ? size : m.policy().nextSize(m.sizes(), m.learned());
                w.waiters.add(done);
                act(w, m.onExtendRequested(monitorThread.nanoTime(), target));
                if (m.state() != DriveMonitor.State.EXTENDING) {
                    w.waiters.remove(done);
                    done.complete(m.sizes().physical());
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the volume monitor is " + (closed ? "stopped" : "overloaded")
                    + ": " + e.getMessage()));
        }
        return done;
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void onEvent(DriveEvent event) {
        long now = monitorThread.nanoTime();
        onMonitorThread(() -> handle(event, now));
    }

    private void handle(DriveEvent event, long now) {
        if (event instanceof DriveEvent.ThresholdCrossed t) {
            Watched w = drives.get(t.drive());
            if (w != null) {
                act(w, w.monitor.onThresholdCrossed(now));
            }
        } else if (event instanceof DriveEvent.OutOfSpace o) {
            Watched w = drives.get(o.drive());
            if (w != null) {
                if (!w.monitor.pausedForSpace()) {
                    paused(w);
                }
                act(w, w.monitor.onOutOfSpace(now));
            } else {
                LOG.warn("{} ran out of space but is not a watched thin drive", o.drive());
            }
        } else if (event instanceof DriveEvent.Paused p) {
            // BLOCK_IO_ERROR is rate-limited by QEMU and may come late: read the VM's drives now,
            // so that a pause for lack of space is seen within a round trip.
            checkVm(p.vm());
        } else if (event instanceof DriveEvent.Started s) {
            checkVm(s.vm());
        } else if (event instanceof DriveEvent.Stopped s) {
            drop(w -> w.ref().vm().equals(s.vm()), "its VM stopped");
        } else if (event instanceof DriveEvent.Resumed r) {
            for (Watched w : drives.values()) {
                if (w.ref().vm().equals(r.vm())) {
                    w.monitor.onResumed();
                }
            }
        } else if (event instanceof DriveEvent.EventsLost lost) {
            LOG.info("VM {}: events may have been lost ({}); checking its drives now", lost.vm(), lost.why());
            checkAll();
        }
    }

    // ---- the periodic check ------------------------------------------------------------------

    private void periodicCheck() {
        try {
            checkAll();
            history.save();
        } finally {
            if (!closed) {
                try {
                    periodic = monitorThread.schedule(this::periodicCheck, checkIntervalNanos, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    health = "broken: the periodic check cannot be scheduled: " + e.getMessage();
                    LOG.error("volume monitor: {}", health);
                }
            }
        }
    }

    private void checkVm(String name) {
        for (Hypervisor h : hypervisors) {
            for (VmInfo vm : h.vms()) {
                if (vm.name().equals(name)) {
                    check(h, vm);
                }
            }
        }
    }

    private void check(Hypervisor h, VmInfo vm) {
        if (vm.state() == VmState.UNREACHABLE || vm.state() == VmState.SHUTOFF || vm.state() == VmState.MIGRATING) {
            // MIGRATING: read again when it runs (the destination's volume monitor takes over when it lands).
            return;
        }
        long reading = ++readings;
        h.drives(vm.name()).whenCompleteAsync((list, error) -> {
            if (error != null) {
                LOG.debug("VM {}: cannot read drives: {}", vm.name(), error.getMessage());
            } else {
                readDrives(h, vm, list, reading);
            }
        }, monitorThread);
    }

    private void checkAll() {
        for (Hypervisor h : hypervisors) {
            for (VmInfo vm : h.vms()) {
                check(h, vm);
            }
        }
        drop(w -> w.hypervisor.vms().stream().noneMatch(v -> v.name().equals(w.ref().vm()) && v.state() != VmState.SHUTOFF),
                "its VM is gone");
    }

    private void readDrives(Hypervisor h, VmInfo vm, List<DriveInfo> list, long reading) {
        if (!hypervisors.contains(h)) {
            return;
        }
        long now = monitorThread.nanoTime();
        for (DriveInfo d : list) {
            if (!d.thin()) {
                continue;
            }
            Watched w = drives.get(d.ref());
            if (w == null) {
                Optional<VolumeRef> volume = d.path() == null ? Optional.empty() : storage.volumeAt(Path.of(d.path()));
                if (volume.isEmpty()) {
                    continue;
                }
                VolumeHistory.Entry past = history.entry(volume.get(), d.ref());
                past.capacity = d.capacity();
                past.physical = d.physical();
                past.lastSeenMillis = System.currentTimeMillis();
                w = new Watched(new DriveMonitor(d.ref(), policy, settings, sizes(d)), volume.get(), h, past);
                drives.put(d.ref(), w);
                watchedCount = drives.size();
                LOG.info("{}: watching thin volume {} ({} of {} MiB)", d.ref(), volume.get(), d.physical() / MIB,
                        d.capacity() / MIB);
            }
            // A pause for lack of space whose event was lost (QEMU rate-limits BLOCK_IO_ERROR).
            if (vm.state() == VmState.PAUSED && "nospace".equals(d.ioStatus()) && !w.monitor.pausedForSpace()) {
                paused(w);
                act(w, w.monitor.onOutOfSpace(now));
            }
            if (reading <= w.changedAt) {
                // Asked before we armed or grew the drive, answered after: its threshold and size are
                // older than ours (volumes never shrink); only its allocation is news.
                DriveSizes known = w.monitor.sizes();
                act(w, w.monitor.onReading(now, new DriveSizes(d.capacity(), Math.max(d.physical(), known.physical()),
                        d.allocation(), false), w.monitor.armedThreshold()));
            } else {
                act(w, w.monitor.onReading(now, sizes(d), d.threshold()));
            }
        }
    }

    private static DriveSizes sizes(DriveInfo d) {
        return new DriveSizes(d.capacity(), d.physical(), d.allocation(), false);
    }

    /** Stops watching the drives {@code which} selects; their extensions in flight become stale. */
    private void drop(java.util.function.Predicate<Watched> which, String why) {
        for (Iterator<Watched> it = drives.values().iterator(); it.hasNext(); ) {
            Watched w = it.next();
            if (which.test(w)) {
                it.remove();
                w.history.physical = w.monitor.sizes().physical();
                w.history.lastSeenMillis = System.currentTimeMillis();
                history.changed();
                LOG.info("{}: no longer watched ({})", w.ref(), why);
                failWaiters(w, "no longer watched: " + why);
            }
        }
        watchedCount = drives.size();
    }

    // ---- actions -----------------------------------------------------------------------------

    private void act(Watched w, List<DriveMonitor.Action> actions) {
        DriveRef ref = w.ref();
        for (DriveMonitor.Action a : actions) {
            if (a instanceof DriveMonitor.Action.Extend e) {
                extend(w, e);
            } else if (a instanceof DriveMonitor.Action.Arm arm) {
                w.changedAt = readings;
                w.hypervisor.setWriteThreshold(ref, arm.threshold()).whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.warn("{}: arming the threshold at {} failed: {}", ref, arm.threshold(), cause(error).getMessage());
                    }
                });
            } else if (a instanceof DriveMonitor.Action.Resume) {
                resume(w);
            } else if (a instanceof DriveMonitor.Action.Pause p) {
                LOG.error("{}: pausing VM {}: {}", ref, ref.vm(), p.why());
                w.hypervisor.pause(ref.vm());
            } else if (a instanceof DriveMonitor.Action.Report r) {
                stats.failure();
                w.history.failures++;
                w.history.problem = r.problem();
                history.changed();
                LOG.error("{}", r.problem());
                failWaiters(w, r.problem());
            }
        }
    }

    /** Resumes the VM unless another of its drives still waits for space: that one's extension resumes it. */
    private void resume(Watched w) {
        for (Watched other : drives.values()) {
            if (other != w && other.hypervisor == w.hypervisor && other.ref().vm().equals(w.ref().vm())
                    && other.monitor.pausedForSpace()) {
                LOG.info("{}: extended; VM {} stays paused until {} is extended too", w.ref(), w.ref().vm(), other.ref());
                return;
            }
        }
        w.hypervisor.resume(w.ref().vm()).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warn("{}: resuming after the extension failed: {}", w.ref().vm(), cause(error).getMessage());
            }
        });
    }

    private void extend(Watched w, DriveMonitor.Action.Extend e) {
        // Timed from the event that started it, so that the wait for the monitor's thread is counted too.
        Extension x = new Extension(w, e, w.monitor.triggeredNanos());
        x.sent = monitorThread.nanoTime();
        CompletionStage<Long> reply;
        try {
            reply = extender.extend(w.volume, e.size());
        } catch (RuntimeException error) {
            reply = CompletableFuture.failedFuture(error);
        }
        reply.whenCompleteAsync((size, error) -> replied(x, error), monitorThread);
    }

    /** Whether the extension is still the one its drive waits for; a result of any other is dropped. */
    private boolean current(Extension x, String step) {
        Watched w = x.watched;
        if (drives.get(w.ref()) == w && w.monitor.current(x.request.id())) {
            return true;
        }
        stats.staleResult();
        LOG.info("{}: {} of extension {} to {} MiB arrived after it stopped counting (drive {}): ignored", w.ref(), step,
                x.request.id(), x.request.size() / MIB, drives.get(w.ref()) == w ? "at extension " + w.monitor.extension()
                        : "no longer watched");
        return false;
    }

    private void replied(Extension x, Throwable error) {
        if (!current(x, "the SPM's answer")) {
            return;
        }
        x.replied = monitorThread.nanoTime();
        if (error != null) {
            failed(x, error);
            return;
        }
        Watched w = x.watched;
        // A VM migrating away: its destination sees the new size first (see MigratingVolumes).
        CompletableFuture.completedFuture(w.volume)
                .thenCompose(volume -> migrating.refreshDestinations(volume, x.request.size()))
                .thenApplyAsync(destinations -> storage.domain(w.volume.domain()).orElseThrow(() ->
                                new IllegalStateException("domain " + w.volume.domain() + " is not connected"))
                        .volumes().refresh(w.volume), blocking)
                .thenCompose(refreshed -> w.hypervisor.drive(w.ref()))
                .whenCompleteAsync((drive, refreshError) -> refreshed(x, drive, refreshError), monitorThread);
    }

    private void refreshed(Extension x, DriveInfo drive, Throwable error) {
        if (!current(x, "the refresh")) {
            return;
        }
        if (error != null) {
            failed(x, error);
            return;
        }
        Watched w = x.watched;
        DriveMonitor m = w.monitor;
        x.refreshed = monitorThread.nanoTime();
        boolean late = m.state() == DriveMonitor.State.FAILED;
        boolean resumes = m.pausedForSpace();
        List<DriveMonitor.Action> next = m.onExtended(x.refreshed, x.request.id(), drive.physical());
        if (m.state() == DriveMonitor.State.FAILED) {
            act(w, next);
            return;
        }
        // The extension is done when the threshold is armed again: time it to there.
        CompletableFuture<Void> rearmed = CompletableFuture.completedFuture(null);
        List<DriveMonitor.Action> rest = new ArrayList<>();
        w.changedAt = readings;
        for (DriveMonitor.Action a : next) {
            if (a instanceof DriveMonitor.Action.Arm arm) {
                rearmed = w.hypervisor.setWriteThreshold(w.ref(), arm.threshold()).toCompletableFuture();
            } else {
                rest.add(a);
            }
        }
        rearmed.whenCompleteAsync((ok, armError) -> {
            if (armError != null) {
                LOG.warn("{}: re-arming the threshold failed: {}", w.ref(), cause(armError).getMessage());
            }
            act(w, rest);
            done(x, drive.physical(), resumes, late);
        }, monitorThread);
    }

    private void failed(Extension x, Throwable error) {
        Throwable c = cause(error);
        act(x.watched, x.watched.monitor.onExtendFailed(monitorThread.nanoTime(), x.request.id(),
                String.valueOf(c.getMessage()), c instanceof ExtendFailedException));
    }

    private void done(Extension x, long physical, boolean resumed, boolean late) {
        long armed = monitorThread.nanoTime();
        Watched w = x.watched;
        long total = armed - x.triggered;
        stats.extension(total);
        ExtensionRecord record = new ExtensionRecord(w.ref(), w.volume, x.request.id(), name(x.request.trigger()),
                x.request.rule(), x.fromSize, physical, x.sent - x.triggered, x.replied - x.sent, x.refreshed - x.replied,
                armed - x.refreshed, total, resumed, late);
        LOG.info("extended {} (volume {}) {} -> {} MiB: wait {} ms, extend {} ms, refresh {} ms, re-arm {} ms, total {} ms{}{}"
                        + " [{}: {}]",
                w.ref(), w.volume.volume(), x.fromSize / MIB, physical / MIB, ms(record.waitNanos()), ms(record.extendNanos()),
                ms(record.refreshNanos()), ms(record.rearmNanos()), ms(total), resumed ? "; VM resumed" : "",
                late ? "; late: after the deadline" : "", record.trigger(), record.rule());
        VolumeHistory.Entry h = w.history;
        h.extensions++;
        h.lastMillis = total / 1e6;
        h.trigger = record.trigger();
        h.rule = record.rule();
        h.problem = "";
        h.physical = physical;
        h.lastSeenMillis = System.currentTimeMillis();
        history.changed(); // written by the next periodic check, off the extensions' path
        for (CompletableFuture<Long> f : w.waiters) {
            f.complete(physical);
        }
        w.waiters.clear();
        extensionListeners.publish(record, Consumer::accept);
    }

    private void paused(Watched w) {
        stats.pause();
        w.history.pauses++;
        history.changed();
    }

    private static void failWaiters(Watched w, String problem) {
        for (CompletableFuture<Long> f : w.waiters) {
            f.completeExceptionally(new IllegalStateException(problem));
        }
        w.waiters.clear();
    }

    private void onMonitorThread(Runnable task) {
        try {
            monitorThread.execute(task);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                stats.refused();
                LOG.warn("volume monitor: work refused ({}); the next periodic check catches up", e.getMessage());
            }
        }
    }

    private static String name(DriveMonitor.Trigger t) {
        return t.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Unsubscribing from a hypervisor that is going away.
        }
    }
}
