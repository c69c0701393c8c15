package org.headroom.virt.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.migration.HookedMigrations;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.virt.HookCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent does for each call of libvirt's qemu hook. The hook blocks libvirt while it runs,
 * so only {@code prepare} (the volumes must be active before QEMU opens them) and {@code release}
 * do work before answering; everything that talks to libvirt is announced and done afterwards
 * (calling libvirt from inside its hook would deadlock).
 *
 * <ul>
 * <li>{@code prepare}: activate and refresh the VM's volumes, link their run paths. A disk that
 *     names a run path of no connected domain or no existing volume fails the start (exit 1):
 *     QEMU could not open it anyway, and this says why.</li>
 * <li>{@code started}, {@code reconnect}: the VM runs (again): its drives are read and watched now.</li>
 * <li>{@code stopped}: no longer watched. {@code release}: volumes deactivated; never fails.</li>
 * <li>{@code migrate} (the destination's first call of an incoming migration): recorded, so that
 *     the {@code prepare} that follows hands the volumes to live migration
 *     ({@link HookedMigrations#arriving}: attached here, the source's agent told; refused, exit 1,
 *     when it cannot be). Prints nothing: libvirt keeps its XML. {@code start}: nothing to do.</li>
 * <li>{@code release} also tells live migration the volumes are released here.</li>
 * <li>Anything else, and XML that does not parse: logged, counted, exit 0. A hook must not stop
 *     VMs that Headroom has nothing to do with.</li>
 * </ul>
 */
public final class HookHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HookHandler.class);

    /** The answer to the hook: its exit status and a line for libvirt's log. */
    public record Reply(int exit, String message) {
    }

    /** Incoming migrations whose {@code prepare} has not come yet, by VM name; bounded, oldest dropped. */
    private static final int INCOMING_KEPT = 256;
    /** A {@code migrate} call is followed by its {@code prepare} within libvirt's prepare phase. */
    private static final long INCOMING_MAX_AGE_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);

    private final StorageDomains storage;
    private final Consumer<DriveEvent> announce;
    private final HookStats stats;
    private final Supplier<HookedMigrations> migrations;
    private final Map<String, Long> incoming = new LinkedHashMap<>();

    /**
     * @param announce where the VM's start and stop are told, in order with the hypervisor's events
     *                 (the libvirt adapter); may drop them when libvirt is not served
     */
    /**
     * @param migrations live migration's part in libvirt's migrations; gives null while it does
     *                   not run (an incoming VM's volumes are then prepared as for a start)
     */
    public HookHandler(StorageDomains storage, Consumer<DriveEvent> announce, HookStats stats,
                       Supplier<HookedMigrations> migrations) {
        this.storage = storage;
        this.announce = announce;
        this.stats = stats;
        this.migrations = migrations;
    }

    public HookStats stats() {
        return stats;
    }

    public Reply handle(HookRequest request) {
        long start = System.nanoTime();
        Reply reply;
        try {
            reply = dispatch(request);
        } catch (RuntimeException e) {
            LOG.error("hook {} {} of {}: {}", request.op(), request.subop(), request.guest(), e.toString(), e);
            reply = new Reply(0, "headroom: internal error, see the agent's log: " + e);
        }
        long micros = (System.nanoTime() - start) / 1000;
        stats.handled(new HookCall(Instant.now(), request.guest(), request.op(), reply.exit(), micros, reply.message()));
        return reply;
    }

    private Reply dispatch(HookRequest r) {
        String vm = r.guest();
        switch (r.op()) {
            case "prepare":
                return withXml(r, xml -> prepare(xml));
            case "start":
                return new Reply(0, "");
            case "started":
            case "reconnect":
                LOG.info("hook: VM {} {}: watching its drives", vm, r.op());
                announce.accept(new DriveEvent.Started(vm));
                return new Reply(0, "");
            case "stopped":
                LOG.info("hook: VM {} stopped: no longer watched", vm);
                announce.accept(new DriveEvent.Stopped(vm));
                return new Reply(0, "");
            case "release":
                return withXml(r, xml -> release(xml));
            case "migrate":
                LOG.info("hook: VM {} is migrating to this host ({} {})", vm, r.subop(), r.extra());
                expectIncoming(vm);
                return new Reply(0, "");
            default:
                stats.countMalformed();
                LOG.error("hook: unknown operation '{}' for VM {} (sub-operation '{}'): nothing done", r.op(), vm, r.subop());
                return new Reply(0, "headroom: unknown hook operation '" + r.op() + "', ignored");
        }
    }

    private Reply withXml(HookRequest r, java.util.function.Function<DomainXml, Reply> action) {
        DomainXml xml;
        try {
            xml = DomainXml.parse(r.xml());
        } catch (DomainXml.MalformedDomainXmlException e) {
            stats.countMalformed();
            LOG.error("hook {} of VM {}: {}; its volumes were not {}", r.op(), r.guest(), e.getMessage(),
                    r.op().equals("prepare") ? "prepared" : "released");
            return new Reply(0, "headroom: " + e.getMessage());
        }
        if (!xml.name().equals(r.guest())) {
            LOG.warn("hook {}: called for {} with the XML of {}", r.op(), r.guest(), xml.name());
        }
        return action.apply(xml);
    }

    private synchronized void expectIncoming(String vm) {
        long now = System.nanoTime();
        incoming.values().removeIf(t -> now - t > INCOMING_MAX_AGE_NANOS);
        incoming.remove(vm);
        incoming.put(vm, now);
        while (incoming.size() > INCOMING_KEPT) {
            incoming.remove(incoming.keySet().iterator().next());
        }
    }

    private synchronized boolean incoming(String vm) {
        Long t = incoming.remove(vm);
        return t != null && System.nanoTime() - t <= INCOMING_MAX_AGE_NANOS;
    }

    private Reply prepare(DomainXml xml) {
        HookedMigrations live = incoming(xml.name()) ? migrations.get() : null;
        if (live != null) {
            return arriving(xml, live);
        }
        List<String> problems = new ArrayList<>();
        List<String> prepared = new ArrayList<>();
        for (DomainXml.Disk disk : xml.disks()) {
            if (disk.path() == null) {
                continue;
            }
            Optional<VolumeRef> volume = storage.volumeAt(Path.of(disk.path()));
            if (volume.isEmpty()) {
                if (storage.underRunDirectory(Path.of(disk.path()))) {
                    problems.add(disk.target() + ": " + disk.path() + " names no volume of a storage domain this host is connected to");
                } else {
                    LOG.info("VM {} disk {} ({}) is on no storage domain of this host: not Headroom's", xml.name(),
                            disk.target(), disk.path());
                }
                continue;
            }
            try {
                Path link = storage.prepare(volume.get());
                prepared.add(disk.target());
                LOG.info("VM {} disk {}: volume {} prepared at {}", xml.name(), disk.target(), volume.get(), link);
            } catch (StorageException e) {
                problems.add(disk.target() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            String message = "headroom: cannot prepare VM " + xml.name() + ": " + String.join("; ", problems);
            LOG.error(message);
            return new Reply(1, message);
        }
        return new Reply(0, prepared.isEmpty() ? "" : "headroom: prepared " + String.join(", ", prepared));
    }

    /** An incoming migration's prepare: live migration attaches the volumes and tells the source. */
    private Reply arriving(DomainXml xml, HookedMigrations live) {
        List<String> problems = new ArrayList<>();
        List<VolumeRef> volumes = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (DomainXml.Disk disk : xml.disks()) {
            if (disk.path() == null) {
                continue;
            }
            Optional<VolumeRef> volume = storage.volumeAt(Path.of(disk.path()));
            if (volume.isPresent()) {
                volumes.add(volume.get());
                targets.add(disk.target());
            } else if (storage.underRunDirectory(Path.of(disk.path()))) {
                problems.add(disk.target() + ": " + disk.path() + " names no volume of a storage domain this host is connected to");
            }
        }
        if (problems.isEmpty()) {
            try {
                live.arriving(xml.name(), volumes);
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            String message = "headroom: cannot take the migration of VM " + xml.name() + ": " + String.join("; ", problems);
            LOG.error(message);
            return new Reply(1, message);
        }
        LOG.info("VM {} migrating here: disks {} attached, the source's agent told", xml.name(), targets);
        return new Reply(0, targets.isEmpty() ? "" : "headroom: attached " + String.join(", ", targets) + " for the migration");
    }

    private Reply release(DomainXml xml) {
        List<VolumeRef> released = new ArrayList<>();
        for (DomainXml.Disk disk : xml.disks()) {
            if (disk.path() == null) {
                continue;
            }
            Optional<VolumeRef> volume = storage.volumeAt(Path.of(disk.path()));
            if (volume.isPresent()) {
                released.add(volume.get());
                try {
                    storage.teardown(volume.get());
                    LOG.info("VM {} disk {}: volume {} released", xml.name(), disk.target(), volume.get());
                } catch (StorageException e) {
                    // The VM is gone whatever happens here: report, never fail a release.
                    LOG.error("VM {} disk {}: releasing volume {} failed: {}", xml.name(), disk.target(), volume.get(),
                            e.getMessage());
                }
            }
        }
        HookedMigrations live = migrations.get();
        if (live != null && !released.isEmpty()) {
            try {
                live.released(xml.name(), released);
            } catch (RuntimeException e) {
                LOG.error("VM {}: telling live migration its volumes were released failed: {}", xml.name(), e.toString(), e);
            }
        }
        return new Reply(0, "");
    }
}
