package org.headroom.virt.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.libvirt.Domain;
import org.libvirt.DomainBlockInfo;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.IOErrorAction;
import org.libvirt.event.SuspendedDetail;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hypervisor contract over libvirt: every active domain of the connection is a VM, its
 * writable disks are drives named by target ({@code vda}), armed by backing index ({@code vda[N]}).
 *
 * <p>Threads: libvirt's event loop runs on its own thread for the life of the component
 * (keepalives depend on it) and only hands events over; one "libvirt-connection" thread
 * (re)connects, keeps the VM list and turns libvirt's events into {@link DriveEvent}s, in order;
 * calls that the volume monitor makes run on a small pool, never on the event loop.
 *
 * <p>When libvirtd goes away the VMs are reported unreachable and the connection is retried every
 * {@code reconnect_interval_ms}; once back, every VM is reported as possibly having lost events,
 * so the volume monitor re-reads its drives (a threshold crossed meanwhile is caught that way).
 */
@Component(configurationPid = "org.headroom.virt", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {Hypervisor.class, LibvirtHypervisor.class}, property = "hypervisor.type=" + LibvirtHypervisor.TYPE)
@Designate(ocd = LibvirtConfig.class)
public class LibvirtHypervisor implements Hypervisor {
    public static final String TYPE = "libvirt";
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtHypervisor.class);
    private static final AtomicBoolean EVENT_LOOP_REGISTERED = new AtomicBoolean();
    private static final int LIST_ACTIVE = 1; // VIR_CONNECT_LIST_DOMAINS_ACTIVE
    private static final org.libvirt.jna.Libvirt.VirErrorCallback ERRORS_TO_LOG =
            (userData, error) -> LOG.debug("libvirt: {}", error.message);

    /** How to reach libvirt. */
    public record Settings(String uri, Duration reconnectInterval, int keepaliveIntervalSeconds, int keepaliveCount,
                           Duration relistInterval) {
        static Settings from(LibvirtConfig c) {
            return new Settings(c.uri(), Duration.ofMillis(c.reconnect__interval__ms()), c.keepalive__interval__s(),
                    c.keepalive__count(), Duration.ofMillis(c.relist__interval__ms()));
        }
    }

    /** What is known of a VM: its state, and per disk the top image's index and the threshold armed on it. */
    private record Vm(VmInfo info, Map<String, Integer> topIndex, Map<String, Long> armed) {
        Vm with(VmState state, String reason) {
            return new Vm(new VmInfo(info.name(), TYPE, state, reason), topIndex, armed);
        }
    }

    private final Map<String, Vm> vms = new ConcurrentHashMap<>();
    private final List<DriveEventListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong eventsIgnored = new AtomicLong();
    // Held strongly: libvirt calls it from C for as long as it is registered.
    private final LibvirtNative.BlockThresholdCallback thresholdCallback = this::onThresholdNative;

    private volatile Settings settings;
    private volatile HeadroomConnect connection;
    private volatile int thresholdCallbackId = -1;
    private volatile boolean closed;
    private ScheduledExecutorService connectionThread;
    private ExecutorService calls;
    private Thread eventLoop;
    private ScheduledFuture<?> relist;

    @Activate
    void activate(LibvirtConfig config) {
        start(Settings.from(config));
    }

    /** Starts the event loop and connects (in the background: libvirtd may not be up yet). */
    public void start(Settings settings) {
        this.settings = settings;
        try {
            if (EVENT_LOOP_REGISTERED.compareAndSet(false, true)) {
                Library.initEventLoop(); // process-wide, once, before the first connection
                // libvirt prints every error on stderr by default; each one reaches the caller anyway.
                org.libvirt.Connect.setErrorCallback(ERRORS_TO_LOG);
            }
        } catch (LibvirtException e) {
            EVENT_LOOP_REGISTERED.set(false);
            throw new HypervisorException("cannot register libvirt's event loop: " + e.getMessage(), e);
        }
        eventLoop = new Thread(this::runEventLoop, "libvirt-event-loop");
        eventLoop.setDaemon(true);
        eventLoop.start();
        connectionThread = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "libvirt-connection"));
        AtomicInteger n = new AtomicInteger();
        calls = Executors.newFixedThreadPool(2, r -> thread(r, "libvirt-call-" + n.incrementAndGet()));
        connectionThread.execute(this::connect);
        relist = connectionThread.scheduleWithFixedDelay(this::relist, settings.relistInterval().toMillis(),
                settings.relistInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Deactivate
    public void close() {
        closed = true;
        if (relist != null) {
            relist.cancel(false);
        }
        if (connectionThread != null) {
            try {
                connectionThread.submit(this::disconnect).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("closing the libvirt connection: {}", e.toString());
            }
            connectionThread.shutdownNow();
        }
        if (calls != null) {
            calls.shutdownNow();
        }
        if (eventLoop != null) {
            try {
                Library.stopEventLoop();
                eventLoop.join(5000);
            } catch (LibvirtException | InterruptedException e) {
                LOG.warn("stopping libvirt's event loop: {}", e.toString());
            }
        }
        vms.clear();
    }

    // ---- the contract ------------------------------------------------------------------------

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<VmInfo> vms() {
        List<VmInfo> result = new ArrayList<>();
        for (Vm vm : vms.values()) {
            result.add(vm.info());
        }
        result.sort(Comparator.comparing(VmInfo::name));
        return result;
    }

    /** Whether the connection to libvirtd is up. */
    public boolean connected() {
        return connection != null;
    }

    /** How often the connection was re-established after libvirtd went away. */
    public long reconnects() {
        return reconnects.get();
    }

    /** Threshold events not acted on: the unindexed duplicate, or one of a backing image. */
    public long eventsIgnored() {
        return eventsIgnored.get();
    }

    @Override
    public CompletionStage<List<DriveInfo>> drives(String vm) {
        return call("reading drives of " + vm, conn -> readDrives(conn, vm));
    }

    @Override
    public CompletionStage<Void> setWriteThreshold(DriveRef drive, long threshold) {
        if (threshold < 0) {
            return CompletableFuture.failedFuture(new HypervisorException("negative threshold " + threshold + " for " + drive));
        }
        return call("arming " + drive + " at " + threshold, conn -> {
            Integer index = topIndex(drive);
            if (index == null) {
                readDrives(conn, drive.vm());
                index = topIndex(drive);
            }
            String node = index == null ? drive.drive() : drive.drive() + "[" + index + "]";
            withDomain(conn, drive.vm(), domain -> {
                if (LibvirtNative.INSTANCE.virDomainSetBlockThreshold(domain, node, threshold, 0) < 0) {
                    throw new HypervisorException("libvirt refused to arm " + drive.vm() + "/" + node + " at " + threshold
                            + ": " + LibvirtNative.INSTANCE.virGetLastErrorMessage());
                }
                return null;
            });
            Vm vm = vms.get(drive.vm());
            if (vm != null) {
                vm.armed().put(drive.drive(), threshold);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Void> resume(String vm) {
        return onDomain("resuming " + vm, vm, Domain::resume);
    }

    @Override
    public CompletionStage<Void> pause(String vm) {
        return onDomain("pausing " + vm, vm, Domain::suspend);
    }

    private CompletionStage<Void> onDomain(String what, String vm, DomainAction action) {
        return call(what, conn -> {
            Domain d = conn.domainLookupByName(vm);
            try {
                action.run(d);
            } finally {
                d.free();
            }
            return null;
        });
    }

    @FunctionalInterface
    private interface DomainAction {
        void run(Domain domain) throws LibvirtException;
    }

    @Override
    public AutoCloseable subscribe(DriveEventListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Tells listeners about a VM the hook saw start or stop, in order with libvirt's own events. */
    public void announce(DriveEvent event) {
        if (!closed) {
            connectionThread.execute(() -> {
                if (event instanceof DriveEvent.Stopped stopped) {
                    vms.remove(stopped.vm()); // also when libvirt's own event is lost with the connection
                }
                publish(event);
            });
        }
    }

    // ---- connection --------------------------------------------------------------------------

    private void runEventLoop() {
        while (!closed) {
            try {
                Library.runEventLoop();
            } catch (InterruptedException e) {
                return;
            } catch (LibvirtException | RuntimeException e) {
                LOG.warn("libvirt event loop: {}", e.toString());
            }
        }
    }

    private void connect() {
        if (closed || connection != null) {
            return;
        }
        Settings s = settings;
        HeadroomConnect conn = null;
        try {
            conn = new HeadroomConnect(s.uri());
            conn.setKeepAlive(s.keepaliveIntervalSeconds(), s.keepaliveCount());
            conn.registerCloseListener((c, reason) -> connectionThread.execute(() -> onClosed(c, reason.toString())));
            conn.addLifecycleListener((domain, event) -> {
                String name = nameOf(domain);
                connectionThread.execute(() -> onLifecycle(name, event));
                return 0;
            });
            conn.addIOErrorListener((domain, path, alias, action) -> {
                String name = nameOf(domain);
                connectionThread.execute(() -> onIoError(name, path, action));
            });
            int id = LibvirtNative.INSTANCE.virConnectDomainEventRegisterAny(conn.pointer(), null,
                    LibvirtNative.EVENT_ID_BLOCK_THRESHOLD, thresholdCallback, null, null);
            if (id < 0) {
                throw new HypervisorException("libvirt refused the BLOCK_THRESHOLD event callback: "
                        + LibvirtNative.INSTANCE.virGetLastErrorMessage());
            }
            thresholdCallbackId = id;
        } catch (LibvirtException | RuntimeException e) {
            closeQuietly(conn); // opened, then failed to set up: not half a connection
            LOG.debug("libvirt at {} not reachable: {}; retrying in {} ms", s.uri(), e.getMessage(), s.reconnectInterval().toMillis());
            connectionThread.schedule(this::connect, s.reconnectInterval().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        boolean again = reconnects.get() > 0 || !vms.isEmpty();
        connection = conn;
        LOG.info("connected to libvirt at {}{}", s.uri(), again ? " again" : "");
        relist();
        for (Vm vm : vms.values()) {
            publish(again ? new DriveEvent.EventsLost(vm.info().name(), "the libvirt connection was re-established")
                    : new DriveEvent.Started(vm.info().name()));
        }
    }

    private void onClosed(org.libvirt.Connect closedConnection, String reason) {
        if (closedConnection != connection) {
            return;
        }
        LOG.warn("the libvirt connection closed ({}): VMs unreachable until it is back", reason);
        disconnect();
        vms.replaceAll((name, vm) -> vm.with(VmState.UNREACHABLE, "libvirt connection down"));
        if (!closed) {
            reconnects.incrementAndGet();
            connectionThread.schedule(this::connect, settings.reconnectInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void disconnect() {
        HeadroomConnect conn = connection;
        connection = null;
        if (conn == null) {
            return;
        }
        try {
            if (thresholdCallbackId >= 0) {
                LibvirtNative.INSTANCE.virConnectDomainEventDeregisterAny(conn.pointer(), thresholdCallbackId);
            }
            conn.unregisterCloseListener();
            conn.close();
        } catch (LibvirtException | RuntimeException e) {
            LOG.debug("closing a dead libvirt connection: {}", e.getMessage());
        }
        thresholdCallbackId = -1;
    }

    /** Re-reads the active domains; VMs that went away unnoticed are reported stopped. */
    private void relist() {
        HeadroomConnect conn = connection;
        if (conn == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        try {
            for (Domain d : conn.listAllDomains(LIST_ACTIVE)) {
                try {
                    String name = d.getName();
                    seen.add(name);
                    Vm known = vms.get(name);
                    Vm fresh = readState(conn, name, known);
                    vms.put(name, fresh);
                    if (known == null || known.info().state() == VmState.UNREACHABLE) {
                        LOG.info("libvirt VM {}: {}", name, fresh.info().state().name().toLowerCase());
                    }
                } finally {
                    d.free();
                }
            }
        } catch (LibvirtException | RuntimeException e) {
            LOG.debug("listing libvirt's domains: {}", e.getMessage());
            return;
        }
        for (String name : new ArrayList<>(vms.keySet())) {
            if (!seen.contains(name)) {
                vms.remove(name);
                publish(new DriveEvent.Stopped(name));
            }
        }
    }

    private Vm readState(HeadroomConnect conn, String name, Vm known) {
        IntByReference state = new IntByReference();
        IntByReference reason = new IntByReference();
        withDomain(conn, name, domain -> LibvirtNative.INSTANCE.virDomainGetState(domain, state, reason, 0));
        VmState vmState = switch (state.getValue()) {
            case 1, 2 -> VmState.RUNNING;          // running, blocked
            case 3 -> VmState.PAUSED;
            case 7 -> VmState.PAUSED;              // pmsuspended: not writing either
            default -> VmState.SHUTOFF;            // nostate, shutdown, shutoff, crashed
        };
        String why = vmState == VmState.PAUSED && reason.getValue() == LibvirtNative.PAUSED_IOERROR ? "io-error" : "";
        VmInfo info = new VmInfo(name, TYPE, vmState, why);
        return known == null ? new Vm(info, new ConcurrentHashMap<>(), new ConcurrentHashMap<>())
                : new Vm(info, known.topIndex(), known.armed());
    }

    // ---- events --------------------------------------------------------------------------------

    /** On libvirt's event loop: only hand over, never call libvirt here. */
    private void onThresholdNative(Pointer conn, Pointer domain, String dev, String path, long threshold, long excess,
                                   Pointer opaque) {
        String name = LibvirtNative.INSTANCE.virDomainGetName(domain); // local, no round trip
        if (!closed) {
            connectionThread.execute(() -> onThreshold(name, dev, threshold, excess));
        }
    }

    private void onThreshold(String vm, String dev, long threshold, long excess) {
        DriveName name = DriveName.parse(dev);
        if (name.index().isEmpty()) {
            eventsIgnored.incrementAndGet(); // the unindexed twin of the vda[N] event
            return;
        }
        DriveRef ref = new DriveRef(vm, name.target());
        Integer top = topIndex(ref);
        if (top == null || top != name.index().getAsInt()) {
            // The chain may have changed (a snapshot, a block commit): read the indexes again.
            HeadroomConnect conn = connection;
            if (conn != null) {
                try {
                    readDrives(conn, vm);
                } catch (RuntimeException | LibvirtException e) {
                    LOG.warn("{}: threshold event for {}, but the disks cannot be read: {}", vm, dev, e.getMessage());
                }
            }
            top = topIndex(ref);
        }
        if (top == null || top != name.index().getAsInt()) {
            eventsIgnored.incrementAndGet();
            LOG.debug("{}: threshold event for {}, which is not the top image (index {}): ignored", vm, dev, top);
            return;
        }
        Vm known = vms.get(vm);
        if (known != null) {
            known.armed().remove(name.target()); // one-shot: libvirt disarmed it
        }
        publish(new DriveEvent.ThresholdCrossed(ref, threshold, excess));
    }

    private void onLifecycle(String vm, DomainEvent event) {
        DomainEventType type = event.getType();
        switch (type) {
            case STARTED -> {
                refreshState(vm);
                publish(new DriveEvent.Started(vm));
            }
            case SUSPENDED -> {
                refreshState(vm);
                Object detail = event.getDetail();
                publish(new DriveEvent.Paused(vm, detail == SuspendedDetail.IOERROR ? "io-error"
                        : String.valueOf(detail).toLowerCase()));
            }
            case RESUMED -> {
                refreshState(vm);
                publish(new DriveEvent.Resumed(vm));
            }
            case STOPPED, CRASHED -> {
                vms.remove(vm);
                publish(new DriveEvent.Stopped(vm));
            }
            default -> {
                // defined, undefined, shutdown in progress, pmsuspended: nothing for thin disks
            }
        }
    }

    /** A write failed and QEMU paused the VM: which disks are out of space says whether to extend. */
    private void onIoError(String vm, String path, IOErrorAction action) {
        HeadroomConnect conn = connection;
        if (conn == null) {
            return;
        }
        try {
            for (Map.Entry<String, Integer> e : diskErrors(conn, vm).entrySet()) {
                if (e.getValue() == LibvirtNative.DISK_ERROR_NO_SPACE) {
                    publish(new DriveEvent.OutOfSpace(new DriveRef(vm, e.getKey())));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: I/O error on {} ({}), but its disk errors cannot be read: {}", vm, path, action, e.getMessage());
        }
    }

    private void refreshState(String vm) {
        HeadroomConnect conn = connection;
        if (conn == null) {
            return;
        }
        try {
            vms.put(vm, readState(conn, vm, vms.get(vm)));
        } catch (RuntimeException e) {
            LOG.debug("{}: state not readable: {}", vm, e.getMessage());
        }
    }

    private void publish(DriveEvent event) {
        for (DriveEventListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.error("drive event listener failed on {}", event, e);
            }
        }
    }

    // ---- reading domains -----------------------------------------------------------------------

    private List<DriveInfo> readDrives(HeadroomConnect conn, String vm) throws LibvirtException {
        Domain domain = conn.domainLookupByName(vm);
        try {
            DomainXml xml = DomainXml.parse(domain.getXMLDesc(0));
            Map<String, Integer> errors = diskErrors(conn, vm);
            Vm known = vms.computeIfAbsent(vm, n -> readState(conn, n, null));
            List<DriveInfo> drives = new ArrayList<>();
            for (DomainXml.Disk disk : xml.disks()) {
                if (disk.readOnly() || disk.path() == null) {
                    continue;
                }
                disk.index().ifPresentOrElse(i -> known.topIndex().put(disk.target(), i),
                        () -> known.topIndex().remove(disk.target()));
                DomainBlockInfo info = domain.blockInfo(disk.target());
                Integer error = errors.get(disk.target());
                String ioStatus = error == null ? "ok" : error == LibvirtNative.DISK_ERROR_NO_SPACE ? "nospace" : "failed";
                drives.add(new DriveInfo(new DriveRef(vm, disk.target()), disk.format(), disk.path(),
                        disk.indexedName(), info.getCapacity(), info.getPhysical(), info.getAllocation(),
                        known.armed().getOrDefault(disk.target(), 0L), ioStatus));
            }
            return drives;
        } finally {
            domain.free();
        }
    }

    /** Disks with an error, by target: {@code virDomainGetDiskErrors}. */
    private Map<String, Integer> diskErrors(HeadroomConnect conn, String vm) {
        return withDomain(conn, vm, domain -> {
            int count = LibvirtNative.INSTANCE.virDomainGetDiskErrors(domain, null, 0, 0);
            Map<String, Integer> errors = new HashMap<>();
            if (count <= 0) {
                return errors;
            }
            int entry = 16; // struct { char *disk; int error; }, padded
            Memory array = new Memory((long) entry * count);
            array.clear();
            int n = LibvirtNative.INSTANCE.virDomainGetDiskErrors(domain, array, count, 0);
            for (int i = 0; i < n; i++) {
                Pointer disk = array.getPointer((long) i * entry);
                if (disk != null) {
                    errors.put(disk.getString(0), array.getInt((long) i * entry + Native.POINTER_SIZE));
                    Native.free(Pointer.nativeValue(disk));
                }
            }
            return errors;
        });
    }

    private Integer topIndex(DriveRef drive) {
        Vm vm = vms.get(drive.vm());
        return vm == null ? null : vm.topIndex().get(drive.drive());
    }

    /** Runs {@code action} on the native domain pointer of a VM, freed afterwards. */
    private static <T> T withDomain(HeadroomConnect conn, String vm, Function<Pointer, T> action) {
        Pointer domain = LibvirtNative.INSTANCE.virDomainLookupByName(conn.pointer(), vm);
        if (domain == null) {
            throw new HypervisorException("libvirt knows no VM named " + vm + ": " + LibvirtNative.INSTANCE.virGetLastErrorMessage());
        }
        try {
            return action.apply(domain);
        } finally {
            LibvirtNative.INSTANCE.virDomainFree(domain);
        }
    }

    private static void closeQuietly(HeadroomConnect conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (LibvirtException | RuntimeException e) {
                LOG.debug("closing a connection that failed to set up: {}", e.getMessage());
            }
        }
    }

    private static String nameOf(Domain domain) {
        try {
            return domain.getName();
        } catch (LibvirtException e) {
            return "?";
        }
    }

    /** A libvirt call, off the event loop, failing with the contract's exception when libvirt is down or refuses. */
    private <T> CompletionStage<T> call(String what, LibvirtCall<T> body) {
        HeadroomConnect conn = connection;
        if (conn == null || closed) {
            return CompletableFuture.failedFuture(new HypervisorException(what + ": the libvirt connection is down"));
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return body.run(conn);
            } catch (LibvirtException e) {
                throw new HypervisorException(what + ": " + e.getMessage(), e);
            } catch (HypervisorException e) {
                throw new HypervisorException(what + ": " + e.getMessage(), e);
            }
        }, calls);
    }

    @FunctionalInterface
    private interface LibvirtCall<T> {
        T run(HeadroomConnect conn) throws LibvirtException;
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
