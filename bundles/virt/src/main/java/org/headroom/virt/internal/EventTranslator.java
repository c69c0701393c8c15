package org.headroom.virt.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.IOErrorAction;
import org.libvirt.event.SuspendedDetail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the adapter knows of libvirt's VMs, and how libvirt's callbacks become {@link DriveEvent}s.
 *
 * <p>The index logic: libvirt names the images of a disk's chain by index, {@code vda[N]}. A
 * threshold is armed on the top image by its index, so that it stays on that image; libvirt then
 * reports a crossing twice, as {@code vda[N]} and as {@code vda}: only the indexed event is acted
 * on. An event whose index is not the known top may mean that the chain changed (a snapshot, a
 * block commit): the drives are read again, and the event counts only if its image is the top
 * then; an event of a backing image is ignored. Thresholds are one-shot: once one fired, the drive
 * reads as disarmed.
 *
 * <p>No threads and no libvirt of its own ({@link Domains} reads): the callbacks come on the
 * adapter's connection thread, in order; {@link #drives}, {@link #node} and {@link #armed} on
 * call threads, hence the concurrent maps.
 */
final class EventTranslator implements LibvirtConnection.Callbacks {
    private static final Logger LOG = LoggerFactory.getLogger(EventTranslator.class);

    /** What is known of a VM: its state, and per disk the top image's index and the threshold armed on it. */
    private record Vm(VmInfo info, Map<String, Integer> topIndex, Map<String, Long> armed) {
        static Vm found(VmInfo info) {
            return new Vm(info, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }

        Vm with(VmInfo fresh) {
            return new Vm(fresh, topIndex, armed);
        }
    }

    private final Domains domains;
    private final Consumer<DriveEvent> publish;
    private final Map<String, Vm> vms = new ConcurrentHashMap<>();
    private final AtomicLong ignored = new AtomicLong();

    EventTranslator(Domains domains, Consumer<DriveEvent> publish) {
        this.domains = domains;
        this.publish = publish;
    }

    /** The known VMs, by name. */
    List<VmInfo> vms() {
        return vms.values().stream().map(Vm::info).sorted(Comparator.comparing(VmInfo::name)).toList();
    }

    /** Threshold events not acted on: the unindexed twin, or one of a backing image. */
    long ignored() {
        return ignored.get();
    }

    // ---- the connection ----------------------------------------------------------------------

    /** Reads the VMs; each is reported started, or after a reconnect as possibly having lost events. */
    @Override
    public void connected(boolean again) {
        relist();
        for (String vm : vms.keySet()) {
            publish.accept(again ? new DriveEvent.EventsLost(vm, "the libvirt connection was re-established")
                    : new DriveEvent.Started(vm));
        }
    }

    @Override
    public void disconnected(String why) {
        vms.replaceAll((name, vm) -> vm.with(new VmInfo(name, LibvirtHypervisor.TYPE, VmState.UNREACHABLE, why)));
    }

    /** Re-reads the active domains; VMs that went away unnoticed are reported stopped. */
    @Override
    public void relist() {
        Set<String> active;
        try {
            active = domains.active();
        } catch (HypervisorException e) {
            LOG.debug("listing libvirt's domains: {}", e.getMessage());
            return;
        }
        for (String name : active) {
            Vm known = vms.get(name);
            VmInfo fresh;
            try {
                fresh = domains.state(name);
            } catch (HypervisorException e) {
                LOG.debug("{}: state not readable: {}", name, e.getMessage());
                continue;
            }
            vms.put(name, known == null ? Vm.found(fresh) : known.with(fresh));
            if (known == null || known.info().state() == VmState.UNREACHABLE) {
                LOG.info("libvirt VM {}: {}", name, fresh.state().name().toLowerCase());
            }
        }
        for (String name : new ArrayList<>(vms.keySet())) {
            if (!active.contains(name)) {
                vms.remove(name);
                publish.accept(new DriveEvent.Stopped(name));
            }
        }
    }

    // ---- libvirt's events ----------------------------------------------------------------------

    @Override
    public void thresholdCrossed(String vm, String dev, long threshold, long excess) {
        DriveName name = DriveName.parse(dev);
        if (name.index().isEmpty()) {
            ignored.incrementAndGet(); // the unindexed twin of the vda[N] event
            return;
        }
        DriveRef ref = new DriveRef(vm, name.target());
        int index = name.index().getAsInt();
        if (!isTop(ref, index)) {
            try {
                drives(vm); // the chain may have changed: read the indexes again
            } catch (HypervisorException e) {
                LOG.warn("{}: threshold event for {}, but the disks cannot be read: {}", vm, dev, e.getMessage());
            }
        }
        if (!isTop(ref, index)) {
            ignored.incrementAndGet();
            LOG.debug("{}: threshold event for {}, which is not the top image (index {}): ignored", vm, dev, topIndex(ref));
            return;
        }
        Vm known = vms.get(vm);
        if (known != null) {
            known.armed().remove(name.target()); // one-shot: libvirt disarmed it
        }
        publish.accept(new DriveEvent.ThresholdCrossed(ref, threshold, excess));
    }

    @Override
    public void lifecycle(String vm, DomainEvent event) {
        switch (event.getType()) {
            case STARTED -> {
                refreshState(vm);
                publish.accept(new DriveEvent.Started(vm));
            }
            case SUSPENDED -> {
                refreshState(vm);
                Object detail = event.getDetail();
                publish.accept(new DriveEvent.Paused(vm, detail == SuspendedDetail.IOERROR ? "io-error"
                        : String.valueOf(detail).toLowerCase()));
            }
            case RESUMED -> {
                VmState before = refreshState(vm);
                if (before == VmState.MIGRATING) {
                    // Landed here (or, on the source, back after a failed switchover): its drives
                    // were not readable while it migrated; the volume monitor takes them over now.
                    publish.accept(new DriveEvent.Started(vm));
                }
                publish.accept(new DriveEvent.Resumed(vm));
            }
            case STOPPED, CRASHED -> {
                vms.remove(vm);
                publish.accept(new DriveEvent.Stopped(vm));
            }
            default -> {
                // defined, undefined, shutdown in progress, pmsuspended: nothing for thin disks
            }
        }
    }

    /** A write failed and QEMU paused the VM: which disks are out of space says whether to extend. */
    @Override
    public void ioError(String vm, String path, IOErrorAction action) {
        try {
            for (String target : domains.outOfSpace(vm)) {
                publish.accept(new DriveEvent.OutOfSpace(new DriveRef(vm, target)));
            }
        } catch (HypervisorException e) {
            LOG.warn("{}: I/O error on {} ({}), but its disk errors cannot be read: {}", vm, path, action, e.getMessage());
        }
    }

    /** A VM the hook saw start or stop, told in order with libvirt's own events. */
    void announced(DriveEvent event) {
        if (event instanceof DriveEvent.Stopped stopped) {
            vms.remove(stopped.vm()); // also when libvirt's own event is lost with the connection
        }
        publish.accept(event);
    }

    // ---- the contract's calls ------------------------------------------------------------------

    /** The VM's drives read now, with the thresholds armed on them; the top indexes are noted. */
    List<DriveInfo> drives(String vm) {
        List<DriveInfo> read = domains.drives(vm);
        Vm known = vms.computeIfAbsent(vm, name -> Vm.found(domains.state(name)));
        List<DriveInfo> drives = new ArrayList<>();
        for (DriveInfo d : read) {
            String target = d.ref().drive();
            DriveName.parse(d.nodeName()).index().ifPresentOrElse(i -> known.topIndex().put(target, i),
                    () -> known.topIndex().remove(target));
            drives.add(new DriveInfo(d.ref(), d.format(), d.path(), d.nodeName(), d.capacity(), d.physical(),
                    d.allocation(), known.armed().getOrDefault(target, 0L), d.ioStatus()));
        }
        return drives;
    }

    /** The node to arm for {@code drive}: its top image by index, the drives read first when not known. */
    String node(DriveRef drive) {
        if (topIndex(drive) == null) {
            drives(drive.vm());
        }
        Integer index = topIndex(drive);
        return new DriveName(drive.drive(), index == null ? OptionalInt.empty() : OptionalInt.of(index)).toString();
    }

    /** Notes the threshold now armed on {@code drive} (0: none). */
    void armed(DriveRef drive, long threshold) {
        Vm vm = vms.get(drive.vm());
        if (vm != null) {
            vm.armed().put(drive.drive(), threshold);
        }
    }

    /** Reads the VM's state again; returns the one known before (null: not known). */
    private VmState refreshState(String vm) {
        Vm before = vms.get(vm);
        try {
            VmInfo fresh = domains.state(vm);
            vms.compute(vm, (name, known) -> known == null ? Vm.found(fresh) : known.with(fresh));
        } catch (HypervisorException e) {
            LOG.debug("{}: state not readable: {}", vm, e.getMessage());
        }
        return before == null ? null : before.info().state();
    }

    private boolean isTop(DriveRef drive, int index) {
        Integer top = topIndex(drive);
        return top != null && top == index;
    }

    private Integer topIndex(DriveRef drive) {
        Vm vm = vms.get(drive.vm());
        return vm == null ? null : vm.topIndex().get(drive.drive());
    }
}
