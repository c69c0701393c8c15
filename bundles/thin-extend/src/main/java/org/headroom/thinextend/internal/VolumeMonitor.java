package org.headroom.thinextend.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volume monitor: keeps every thin drive of every hypervisor ahead of its guest's writes.
 *
 * <p>Hypervisor events (threshold crossed, out of space) and a periodic check (which catches events
 * that were lost) feed one {@link DriveMonitor} per drive; its actions become calls: an extension
 * through the {@link ExtendService} (the mailbox, or the SPM in-process), a refresh of the volume
 * on this host, a check that the hypervisor sees the new size, the threshold re-armed, the VM
 * resumed. All state changes happen on one thread, {@code monitorThread}; calls that block (the
 * refresh runs losetup or lvchange) run on {@code blockingPool}.
 */
public final class VolumeMonitor implements DriveEventListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeMonitor.class);
    private static final long MIB = 1 << 20;

    /** Timings of one extension, nanoseconds of the monitor's clock. */
    private static final class Timing {
        long triggered;
        long sent;
        long replied;
        long refreshed;
        long armed;
        long fromSize;
    }

    /** A watched drive: its state machine, its volume, its hypervisor. */
    private record Watched(DriveMonitor monitor, VolumeRef volume, Hypervisor hypervisor, Timing timing,
                           List<CompletableFuture<Long>> waiters) {
    }

    /** One line of {@code headroom:volumes}. */
    public record VolumeStatus(DriveRef drive, VolumeRef volume, String state, long capacity, long physical,
                               long allocation, long threshold, long extensions, long pauses, long failures,
                               double lastMillis, String problem) {
    }

    private final ExtensionPolicy policy;
    private final DriveMonitor.Settings settings;
    private final ExtendService extender;
    private final StorageDomains storage;
    private final ScheduledExecutorService monitorThread;
    private final ExecutorService blockingPool;
    private final LongSupplier clock;
    private final long checkIntervalNanos;
    private final List<Hypervisor> hypervisors = new CopyOnWriteArrayList<>();
    private final Map<Hypervisor, AutoCloseable> subscriptions = new HashMap<>();
    private final Map<DriveRef, Watched> drives = new HashMap<>();
    private final ExtensionStats stats = new ExtensionStats();
    private ScheduledFuture<?> periodic;

    public VolumeMonitor(ExtensionPolicy policy, DriveMonitor.Settings settings, ExtendService extender,
                         StorageDomains storage, long checkIntervalNanos, ScheduledExecutorService monitorThread,
                         ExecutorService blockingPool, LongSupplier clock) {
        this.policy = policy;
        this.settings = settings;
        this.extender = extender;
        this.storage = storage;
        this.checkIntervalNanos = checkIntervalNanos;
        this.monitorThread = monitorThread;
        this.blockingPool = blockingPool;
        this.clock = clock;
    }

    public void start() {
        periodic = monitorThread.scheduleWithFixedDelay(this::checkAll, 0, checkIntervalNanos, TimeUnit.NANOSECONDS);
        LOG.info("volume monitor started: {} policy, check every {} ms", policy.name(), checkIntervalNanos / 1_000_000);
    }

    @Override
    public void close() {
        if (periodic != null) {
            periodic.cancel(false);
        }
        synchronized (subscriptions) {
            for (AutoCloseable s : subscriptions.values()) {
                closeQuietly(s);
            }
            subscriptions.clear();
        }
    }

    public void addHypervisor(Hypervisor hypervisor) {
        hypervisors.add(hypervisor);
        synchronized (subscriptions) {
            subscriptions.put(hypervisor, hypervisor.subscribe(this));
        }
        monitorThread.execute(this::checkAll);
    }

    public void removeHypervisor(Hypervisor hypervisor) {
        hypervisors.remove(hypervisor);
        synchronized (subscriptions) {
            AutoCloseable s = subscriptions.remove(hypervisor);
            if (s != null) {
                closeQuietly(s);
            }
        }
        monitorThread.execute(() -> drives.values().removeIf(w -> w.hypervisor() == hypervisor));
    }

    public ExtensionStats stats() {
        return stats;
    }

    /** Every watched drive, read on the monitor's thread. */
    public CompletableFuture<List<VolumeStatus>> volumes() {
        return CompletableFuture.supplyAsync(() -> {
            List<VolumeStatus> list = new ArrayList<>();
            for (Watched w : drives.values()) {
                DriveMonitor m = w.monitor();
                DriveSizes s = m.sizes();
                list.add(new VolumeStatus(m.drive(), w.volume(), m.state().name().toLowerCase(Locale.ROOT), s.capacity(),
                        s.physical(), s.allocation(), m.armedThreshold(), m.extensions(), m.pauses(), m.failures(),
                        stats.last(m.drive()), m.problem()));
            }
            list.sort((a, b) -> a.drive().toString().compareTo(b.drive().toString()));
            return list;
        }, monitorThread);
    }

    /**
     * An admin's extension: to {@code size} bytes, or the policy's next size when 0. Completes with
     * the size reached, or fails with the reason.
     */
    public CompletableFuture<Long> extend(DriveRef drive, long size) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        monitorThread.execute(() -> {
            Watched w = drives.get(drive);
            if (w == null) {
                done.completeExceptionally(new IllegalArgumentException("no thin drive " + drive + " is watched (see headroom:volumes)"));
                return;
            }
            DriveMonitor m = w.monitor();
            long target = size > 0 ? size : m.policy().nextSize(m.sizes(), m.learned());
            w.waiters().add(done);
            act(w, m.onExtendRequested(clock.getAsLong(), target));
            if (m.state() != DriveMonitor.State.EXTENDING) {
                w.waiters().remove(done);
                done.complete(m.sizes().physical());
            }
        });
        return done;
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void onEvent(DriveEvent event) {
        long now = clock.getAsLong();
        monitorThread.execute(() -> handle(event, now));
    }

    private void handle(DriveEvent event, long now) {
        if (event instanceof DriveEvent.ThresholdCrossed t) {
            Watched w = drives.get(t.drive());
            if (w != null) {
                act(w, w.monitor().onThresholdCrossed(now));
            }
        } else if (event instanceof DriveEvent.OutOfSpace o) {
            Watched w = drives.get(o.drive());
            if (w != null) {
                stats.pause();
                act(w, w.monitor().onOutOfSpace(now));
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
            drives.keySet().removeIf(ref -> {
                boolean gone = ref.vm().equals(s.vm());
                if (gone) {
                    LOG.info("{}: no longer watched (its VM stopped)", ref);
                }
                return gone;
            });
        } else if (event instanceof DriveEvent.Resumed r) {
            for (Watched w : drives.values()) {
                if (w.monitor().drive().vm().equals(r.vm())) {
                    w.monitor().onResumed();
                }
            }
        } else if (event instanceof DriveEvent.EventsLost lost) {
            LOG.info("VM {}: events may have been lost ({}); checking its drives now", lost.vm(), lost.why());
            checkAll();
        }
    }

    // ---- the periodic check ------------------------------------------------------------------

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
        if (vm.state() == VmState.UNREACHABLE || vm.state() == VmState.SHUTOFF) {
            return;
        }
        h.drives(vm.name()).whenCompleteAsync((list, error) -> {
            if (error != null) {
                LOG.debug("VM {}: cannot read drives: {}", vm.name(), error.getMessage());
            } else {
                checkVm(h, vm, list);
            }
        }, monitorThread);
    }

    private void checkAll() {
        for (Hypervisor h : hypervisors) {
            for (VmInfo vm : h.vms()) {
                check(h, vm);
            }
        }
        Set<DriveRef> gone = new HashSet<>();
        for (Map.Entry<DriveRef, Watched> e : drives.entrySet()) {
            if (e.getValue().hypervisor().vms().stream().noneMatch(v -> v.name().equals(e.getKey().vm())
                    && v.state() != VmState.SHUTOFF)) {
                gone.add(e.getKey());
            }
        }
        gone.forEach(ref -> {
            LOG.info("{}: no longer watched (its VM is gone)", ref);
            drives.remove(ref);
        });
    }

    private void checkVm(Hypervisor h, VmInfo vm, List<DriveInfo> list) {
        long now = clock.getAsLong();
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
                w = new Watched(new DriveMonitor(d.ref(), policy, settings, sizes(d)), volume.get(), h, new Timing(),
                        new ArrayList<>());
                drives.put(d.ref(), w);
                LOG.info("{}: watching thin volume {} ({} of {} MiB)", d.ref(), volume.get(), d.physical() / MIB,
                        d.capacity() / MIB);
            }
            // A pause for lack of space whose event was lost (QEMU rate-limits BLOCK_IO_ERROR).
            if (vm.state() == VmState.PAUSED && "nospace".equals(d.ioStatus()) && !w.monitor().pausedForSpace()) {
                act(w, w.monitor().onOutOfSpace(now));
            }
            act(w, w.monitor().onReading(now, sizes(d), d.threshold()));
        }
    }

    private static DriveSizes sizes(DriveInfo d) {
        return new DriveSizes(d.capacity(), d.physical(), d.allocation(), false);
    }

    // ---- actions -----------------------------------------------------------------------------

    private void act(Watched w, List<DriveMonitor.Action> actions) {
        DriveRef ref = w.monitor().drive();
        for (DriveMonitor.Action a : actions) {
            if (a instanceof DriveMonitor.Action.Extend e) {
                extend(w, e);
            } else if (a instanceof DriveMonitor.Action.Arm arm) {
                w.hypervisor().setWriteThreshold(ref, arm.threshold()).whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.warn("{}: arming the threshold at {} failed: {}", ref, arm.threshold(), cause(error).getMessage());
                    }
                });
            } else if (a instanceof DriveMonitor.Action.Resume) {
                w.hypervisor().resume(ref.vm()).whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.warn("{}: resuming after the extension failed: {}", ref.vm(), cause(error).getMessage());
                    }
                });
            } else if (a instanceof DriveMonitor.Action.Pause p) {
                LOG.error("{}: pausing VM {}: {}", ref, ref.vm(), p.why());
                w.hypervisor().pause(ref.vm());
            } else if (a instanceof DriveMonitor.Action.Report r) {
                stats.failure();
                LOG.error("{}", r.problem());
                completeWaiters(w, null, r.problem());
            }
        }
    }

    private void extend(Watched w, DriveMonitor.Action.Extend e) {
        Timing t = w.timing();
        long now = clock.getAsLong();
        if (e.attempt() == 1) {
            t.triggered = now;
            t.fromSize = w.monitor().sizes().physical();
        } else {
            LOG.warn("{}: extension to {} MiB not done in time, asking again (attempt {})", w.monitor().drive(),
                    e.size() / MIB, e.attempt());
        }
        t.sent = now;
        CompletionStage<Long> reply;
        try {
            reply = extender.extend(w.volume(), e.size());
        } catch (RuntimeException error) {
            reply = CompletableFuture.failedFuture(error);
        }
        reply.thenApplyAsync(size -> {
            t.replied = clock.getAsLong();
            return w.volume();
        }, monitorThread).thenApplyAsync(volume -> storage.domain(volume.domain()).orElseThrow().volumes().refresh(volume),
                blockingPool).thenCompose(refreshed -> w.hypervisor().drive(w.monitor().drive()))
                .whenCompleteAsync((drive, error) -> {
                    long done = clock.getAsLong();
                    if (error != null) {
                        Throwable c = cause(error);
                        act(w, w.monitor().onExtendFailed(done, c.getMessage(), !(c instanceof ExtendFailedException)));
                        return;
                    }
                    t.refreshed = done;
                    boolean resumes = w.monitor().pausedForSpace();
                    List<DriveMonitor.Action> next = w.monitor().onExtended(done, drive.physical());
                    if (w.monitor().state() == DriveMonitor.State.FAILED) {
                        act(w, next);
                        return;
                    }
                    // The extension is done when the threshold is armed again: time it to there.
                    CompletableFuture<Void> rearmed = CompletableFuture.completedFuture(null);
                    for (DriveMonitor.Action a : next) {
                        if (a instanceof DriveMonitor.Action.Arm arm) {
                            rearmed = w.hypervisor().setWriteThreshold(w.monitor().drive(), arm.threshold())
                                    .toCompletableFuture();
                        }
                    }
                    List<DriveMonitor.Action> rest = next.stream().filter(a -> !(a instanceof DriveMonitor.Action.Arm)).toList();
                    rearmed.whenCompleteAsync((ok, armError) -> {
                        if (armError != null) {
                            LOG.warn("{}: re-arming the threshold failed: {}", w.monitor().drive(), cause(armError).getMessage());
                        }
                        t.armed = clock.getAsLong();
                        act(w, rest);
                        logExtension(w, drive.physical(), resumes);
                        completeWaiters(w, drive.physical(), null);
                    }, monitorThread);
                }, monitorThread);
    }

    private void logExtension(Watched w, long physical, boolean resumed) {
        Timing t = w.timing();
        long total = t.armed - t.triggered;
        stats.extension(w.monitor().drive(), total);
        LOG.info("extended {} (volume {}) {} -> {} MiB: wait {} ms, extend {} ms, refresh {} ms, re-arm {} ms, total {} ms{}",
                w.monitor().drive(), w.volume().volume(), t.fromSize / MIB, physical / MIB, ms(t.sent - t.triggered),
                ms(t.replied - t.sent), ms(t.refreshed - t.replied), ms(t.armed - t.refreshed), ms(total), resumed ? "; VM resumed" : "");
    }

    private static void completeWaiters(Watched w, Long size, String problem) {
        for (CompletableFuture<Long> f : w.waiters()) {
            if (problem == null) {
                f.complete(size);
            } else {
                f.completeExceptionally(new IllegalStateException(problem));
            }
        }
        w.waiters().clear();
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

    /** For tests and the MBean: how many drives are watched. */
    public CompletableFuture<Integer> watchedCount() {
        return CompletableFuture.supplyAsync(drives::size, monitorThread);
    }
}
