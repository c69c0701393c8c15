package org.headroom.virt.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.headroom.api.hypervisor.DriveEvent;
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
 * <li>{@code migrate}: recorded (the migration work builds on it); {@code start}: nothing to do.</li>
 * <li>Anything else, and XML that does not parse: logged, counted, exit 0. A hook must not stop
 *     VMs that Headroom has nothing to do with.</li>
 * </ul>
 */
public final class HookHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HookHandler.class);

    /** The answer to the hook: its exit status and a line for libvirt's log. */
    public record Reply(int exit, String message) {
    }

    private final StorageDomains storage;
    private final Consumer<DriveEvent> announce;
    private final HookStats stats;

    /**
     * @param announce where the VM's start and stop are told, in order with the hypervisor's events
     *                 (the libvirt adapter); may drop them when libvirt is not served
     */
    public HookHandler(StorageDomains storage, Consumer<DriveEvent> announce, HookStats stats) {
        this.storage = storage;
        this.announce = announce;
        this.stats = stats;
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

    private Reply prepare(DomainXml xml) {
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

    private Reply release(DomainXml xml) {
        for (DomainXml.Disk disk : xml.disks()) {
            if (disk.path() == null) {
                continue;
            }
            Optional<VolumeRef> volume = storage.volumeAt(Path.of(disk.path()));
            if (volume.isPresent()) {
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
        return new Reply(0, "");
    }
}
