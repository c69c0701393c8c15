package org.headroom.bench;

import static org.headroom.bench.BenchSupport.counters;
import static org.headroom.bench.BenchSupport.deleteTree;
import static org.headroom.bench.BenchSupport.round;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.codec.MailboxLayout;
import org.headroom.mailbox.internal.HostMailbox;
import org.headroom.mailbox.internal.MailboxPolicy;
import org.headroom.mailbox.internal.SpmMailbox;
import org.headroom.qmp.internal.QemuHypervisor;
import org.headroom.qmp.internal.QemuVmConnection;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Lab;
import org.headroom.testing.QemuProcess;
import org.headroom.testing.TestGuest;
import org.headroom.thinextend.ExtensionRecord;
import org.headroom.thinextend.MonitorStatus;
import org.headroom.thinextend.VolumeStatus;
import org.headroom.thinextend.internal.ExtensionPolicy;
import org.headroom.thinextend.internal.Learned;
import org.headroom.thinextend.internal.VolumeMonitor;

/**
 * One guest run of the thin-extend benchmark, each on fresh everything: a domain with one thin
 * volume active as a loop device and a qcow2 in it, the SPM and this host's mailbox (host id 2),
 * the agent wired as the bundles' components wire it in Karaf (QEMU adapter, volume monitor on
 * its own threads), and the test guest booted paused, resumed once the drive is armed, watched
 * until it is done. The extensions' timings are the monitor's own, from its
 * {@link VolumeMonitor#onExtension} records; its status and the hypervisor's events give the rest.
 *
 * <p>What a run opened is closed when it ends, or by the shutdown hook should the JVM be stopped
 * first ({@link #closeAll}): an interrupted benchmark leaves no QEMU, loop device or file.
 */
final class GuestRunner {
    private static final long MIB = ExtendSetup.MIB;
    private static final String VM = "guest";
    private static final Pattern PROGRESS = Pattern.compile("hr: progress (\\d+)/(\\d+) MiB t=(\\d+)cs");
    private static final Pattern DONE = Pattern.compile(
            "hr: DONE rc=(\\d+)(?: wrote=(\\d+)MiB elapsed=([0-9.]+)s rate=(\\d+)MiB/s)?");
    /** The guest of the run in progress is done: its QMP connection ending is expected. */
    private static volatile boolean guestDone;

    private final BenchOptions options;
    private final Path base;
    private final Deque<Resources> live = new ConcurrentLinkedDeque<>();
    private volatile boolean shuttingDown;
    private int runs;

    GuestRunner(BenchOptions options, Path base) {
        this.options = options;
        this.base = base;
    }

    /** Guest runs so far. */
    int runs() {
        return runs;
    }

    /** The shutdown hook has run: the JVM is being stopped. */
    boolean stopped() {
        return shuttingDown;
    }

    /** The shutdown hook's part: closes what the run in progress opened; no run starts after this. */
    void closeAll() {
        shuttingDown = true;
        for (Resources r; (r = live.pollFirst()) != null; ) {
            try {
                r.close();
            } catch (Exception e) {
                System.err.println("ThinExtendBenchmark: cleaning up: " + e);
            }
        }
    }

    /**
     * Boots the guest on a fresh thin volume (fully allocated if {@code preallocated}: the limit,
     * nothing to extend), writing {@code sizeMiB} at {@code rate} MiB/s (0: as fast as it can).
     */
    RunResult run(String scenario, String label, ExtendSetup setup, int sizeMiB, int rate, boolean preallocated) {
        RunResult r = new RunResult(scenario, label, setup, sizeMiB, rate, preallocated);
        long started = System.nanoTime();
        guestDone = false;
        Resources res = new Resources();
        live.addFirst(res);
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
            live.remove(res);
            try {
                res.close();
            } catch (Exception e) {
                r.warnings.add("clean-up: " + e);
            }
        }
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
        long capacity = options.integer("capacity.mib") * MIB;
        long initial = r.preallocated ? policy.maxSize(capacity) : policy.initialSize(capacity, Learned.NOTHING);
        r.initialMiB = initial / MIB;
        domain.volumes().create(volume, initial);
        alive();
        res.add(() -> domain.volumes().deactivate(volume));
        Path device = domain.volumes().activate(volume);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", device.toString(), Long.toString(capacity));

        // The SPM and this host's side of the mailbox, both with the run's mailbox policy.
        SpmMailbox spm = BenchSupport.startSpm(res, domain, mailbox, options.integer("spm.max.host.id"),
                options.integer("spm.workers"));
        ThreadScheduler hostThread = res.add(ThreadScheduler.create("mailbox-host", 1, 1_000));
        HostMailbox host = res.add(new HostMailbox(options.integer("host.id"), domain.uuid(), domain.inbox(), domain.outbox(),
                mailbox, MailboxLayout.SLOTS, hostThread));
        host.start();

        // The agent, wired as the bundles' components wire it in Karaf.
        QemuHypervisor hypervisor = new QemuHypervisor();
        StorageDomains storage = DomainSet.of(Path.of("/run/headroom/storage"), domain);
        VolumeMonitor[] self = new VolumeMonitor[1];
        ThreadScheduler monitorThread = res.add(ThreadScheduler.create("volume-monitor", 1, 10_000, t -> self[0].broken(t)));
        ThreadScheduler refresh = res.add(ThreadScheduler.create("volume-refresh", 2, 1_000));
        VolumeMonitor monitor = new VolumeMonitor(policy, host, storage, Duration.ofMillis(options.integer("monitor.check.ms")),
                monitorThread, refresh);
        self[0] = monitor;
        res.add(monitor);
        Completions completions = new Completions();
        res.add(monitor.onExtension(completions::completed));
        monitor.start();
        monitor.addHypervisor(hypervisor);
        List<TimedEvent> events = new CopyOnWriteArrayList<>();
        res.add(hypervisor.subscribe(e -> {
            long now = System.nanoTime();
            events.add(new TimedEvent(now, e));
            if (e instanceof DriveEvent.ThresholdCrossed || e instanceof DriveEvent.OutOfSpace) {
                completions.triggered(now);
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
        VolumeStatus drive;
        while ((drive = drive(monitor)) == null || !ready.contains(drive.state())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the monitor did not get the drive " + ready + " within 30 s: " + drive);
            }
            Thread.sleep(20);
        }

        long resumed = System.nanoTime();
        hypervisor.resume(VM).toCompletableFuture().get(10, TimeUnit.SECONDS);
        ConsoleTail console = new ConsoleTail(vmDir.resolve("console.log"));
        double expected = r.sizeMiB / (double) (r.rate > 0 ? r.rate : 100);
        long timeout = TimeUnit.SECONDS.toNanos(options.integer("guest.timeout.s")) + (long) (3 * expected * 1e9);
        Long startLine = null;
        Long doneLine = null;
        List<double[]> progress = new ArrayList<>(); // host ns, guest cs, MiB
        int consoleMs = options.integer("console.ms");
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
                r.error = String.format(Locale.ROOT, "guest not done after %.0f s (VM %s, drive %s); console:%n%s",
                        (System.nanoTime() - resumed) / 1e9, hypervisor.vms(), drive(monitor), console.tail(10));
                break;
            }
            Thread.sleep(consoleMs);
        }
        // An extension still under way has the last word; once the guest powers off, the drive is
        // no longer watched, so its last state is the last one read before.
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (VolumeStatus d; (d = drive(monitor)) != null; Thread.sleep(20)) {
            drive = d;
            if (!d.state().equals("extending") || System.nanoTime() > settle) {
                break;
            }
        }
        if (doneLine != null) {
            try {
                qemu.awaitExit(Duration.ofSeconds(30));
            } catch (AssertionError notYet) {
                r.warnings.add("QEMU still running 30 s after the guest was done");
            }
        }

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
        r.completed.addAll(completions.relativeTo(t0));
        MonitorStatus status = monitor.status();
        r.extensions = status.extensions();
        r.monitorPauses = status.pauses();
        r.failures = status.failures();
        r.stale = status.stale();
        r.refused = status.refused();
        r.health = status.health();
        r.statusP50 = status.latencyP50Millis();
        r.statusP99 = status.latencyP99Millis();
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
        r.finalState = drive == null ? "unset" : drive.state();
        r.finalProblem = drive == null ? "" : drive.problem();
        r.finalVolumeMiB = domain.volumes().size(volume) / MIB;
        r.spmCounters = counters(spm.stats());
        r.hostCounters = counters(host.stats());
        if (r.error == null && r.rc != null && r.rc != 0) {
            r.error = "guest rc=" + r.rc + "; console:\n" + console.tail(10);
        }
        if (options.flag("check") && !qemu.alive()) {
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

    /** The run's one drive as the monitor sees it now (read on its thread); null when not watched. */
    private static VolumeStatus drive(VolumeMonitor monitor) throws Exception {
        List<VolumeStatus> list = monitor.volumes().get(10, TimeUnit.SECONDS);
        return list.isEmpty() ? null : list.get(0);
    }

    /** Refuses to start anything more once the JVM is shutting down (the hook has cleaned up). */
    private void alive() {
        if (shuttingDown) {
            throw new IllegalStateException("shutting down");
        }
    }

    private static double round3(double d) {
        return Math.round(d * 1000.0) / 1000.0;
    }

    private record TimedEvent(long nanos, DriveEvent event) {
    }

    /**
     * The monitor's extension records as they come (on its thread), each with when it came and the
     * first trigger event (threshold crossed, out of space) the harness saw since the one before:
     * event to re-armed as seen from outside the monitor, which also counts the event's wait for
     * the monitor's thread.
     */
    private static final class Completions {
        private record Completion(long nanos, ExtensionRecord record, long triggerNanos) {
        }

        private final List<Completion> completions = new ArrayList<>();
        private long pending;

        synchronized void triggered(long nanos) {
            if (pending == 0) {
                pending = nanos;
            }
        }

        synchronized void completed(ExtensionRecord record) {
            completions.add(new Completion(System.nanoTime(), record, pending));
            pending = 0;
        }

        synchronized List<RunResult.Extension> relativeTo(long t0) {
            return completions.stream().map(c -> new RunResult.Extension(
                    round3((c.nanos() - c.record().totalNanos() - t0) / 1e9), c.record(),
                    c.triggerNanos() == 0 ? null : round((c.nanos() - c.triggerNanos()) / 1e6))).toList();
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

    /**
     * System.err without the one warning every run ends with: the QMP connection's end once the
     * guest has powered off (shown at log level info, where everything is).
     */
    static final class ExpectedLossFilter extends OutputStream {
        private final PrintStream out;
        private final boolean showAll;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        ExpectedLossFilter(PrintStream out, boolean showAll) {
            this.out = out;
            this.showAll = showAll;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (showAll || !(guestDone && text.contains("QmpClient - ") && text.contains("lost (end of stream)"))) {
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
    }
}
