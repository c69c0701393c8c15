package org.headroom.migrate.internal;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.migration.MigratingVolumes;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.migrate.AttachmentStatus;
import org.headroom.migrate.EndpointStatus;
import org.headroom.migrate.MigrationOptions;
import org.headroom.migrate.MigrationStatus;

/**
 * This host's migrations, both ways: the outgoing ones it owns (one per VM at a time) and the
 * incoming ones its endpoint serves, plus the last that ended. Also the volume monitor's
 * {@link MigratingVolumes}: an extended volume of a VM migrating away is refreshed on its
 * destination first.
 */
final class Migrations implements MigratingVolumes {
    private static final int ENDED_KEPT = 50;

    private final Hypervisor qemu;
    private final StorageDomains storage;
    private final Outgoing.Host source;
    private final Incoming.Host destination;
    private final boolean legacy;
    private final Map<String, Outgoing> outgoing = new LinkedHashMap<>();
    private final Map<String, Incoming> incoming = new LinkedHashMap<>();
    private final Deque<MigrationStatus> ended = new ArrayDeque<>();
    private final LibvirtMigrations libvirt;

    Migrations(Hypervisor qemu, StorageDomains storage, Outgoing.Host source, Incoming.Host destination, boolean legacy) {
        this.qemu = qemu;
        this.storage = storage;
        this.source = source;
        this.destination = destination;
        this.legacy = legacy;
        this.libvirt = new LibvirtMigrations(storage, destination.attachments(), source.peers(), source.callTimeout(),
                source.migrationTimeout(), System::nanoTime, this::ended);
    }

    /** The migrations libvirt runs, as the hooks tell them. */
    LibvirtMigrations libvirt() {
        return libvirt;
    }

    /** Starts migrating {@code vm}; the stage completes when it ended. */
    CompletionStage<MigrationStatus> migrate(String vm, String host, MigrationOptions options) {
        if (!source.peers().knows(host)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(host + " is not a peer of this agent (peers: "
                    + source.peers().peers() + ")"));
        }
        return qemu.drives(vm).thenCompose(drives -> {
            List<VolumeRef> volumes = new ArrayList<>();
            for (DriveInfo d : drives) {
                Optional<VolumeRef> v = d.path() == null ? Optional.empty() : storage.volumeAt(Path.of(d.path()));
                if (v.isEmpty()) {
                    throw new IllegalArgumentException("VM " + vm + " drive " + d.ref().drive() + " (" + d.path()
                            + ") is on no storage domain of this host: cannot migrate it");
                }
                volumes.add(v.get());
            }
            Outgoing m;
            synchronized (this) {
                Outgoing running = outgoing.get(vm);
                if (running != null && !running.ended()) {
                    throw new IllegalStateException("VM " + vm + " is already migrating (" + running.status().id() + ")");
                }
                boolean legacyHere = options.attach() == null ? legacy : options.attach().equals("legacy");
                m = new Outgoing(source, UUID.randomUUID().toString(), vm, host, legacyHere, volumes, options);
                outgoing.put(vm, m);
            }
            m.result().thenAccept(this::ended);
            m.start();
            return m.result();
        });
    }

    synchronized MigrationStatus cancel(String vm) {
        Outgoing m = outgoing.get(vm);
        if (m == null || m.ended()) {
            throw new IllegalArgumentException("VM " + vm + " is not migrating away from this host");
        }
        m.cancel();
        return m.status();
    }

    /** The endpoint's "incoming" call: a migration comes here. */
    AgentProtocol.PrepareReply prepare(String caller, AgentProtocol.Prepare call) throws Exception {
        Incoming m;
        synchronized (this) {
            if (incoming.containsKey(call.migration())) {
                throw new AgentServer.Conflict("migration " + call.migration() + " is already known here");
            }
            for (Incoming other : incoming.values()) {
                if (!other.ended() && other.status().vm().equals(call.vm())) {
                    throw new AgentServer.Conflict("VM " + call.vm() + " already migrates here (" + other.id() + ")");
                }
            }
            m = new Incoming(destination, call, caller);
            incoming.put(call.migration(), m);
        }
        try {
            return m.prepare();
        } finally {
            if (m.ended()) {
                ended(m.status());
            }
        }
    }

    AgentProtocol.Ack ready(String migration) {
        return incoming(migration).ready();
    }

    AgentProtocol.ActivateReply activate(String migration) {
        return incoming(migration).activate();
    }

    AgentProtocol.LandReply land(String migration) throws Exception {
        Incoming m = incoming(migration);
        AgentProtocol.LandReply reply = m.land();
        ended(m.status());
        return reply;
    }

    AgentProtocol.Ack abort(AgentProtocol.Abort call) {
        Incoming m;
        synchronized (this) {
            m = incoming.get(call.migration());
        }
        if (m != null && !m.ended()) {
            m.abort(call.reason().isEmpty() ? "aborted by the source" : call.reason(), call.cancelled());
            ended(m.status());
        }
        return new AgentProtocol.Ack(true);
    }

    AgentProtocol.RefreshReply refresh(AgentProtocol.Refresh call) {
        Incoming m;
        synchronized (this) {
            m = incoming.values().stream().filter(i -> !i.ended() && i.has(call.volume())).findFirst().orElse(null);
        }
        long size = m != null ? m.refresh(call.volume()) : libvirt.refresh(call.volume());
        if (size < 0) {
            throw new AgentServer.Conflict("no incoming migration here has volume " + call.volume().volume());
        }
        if (size < call.size()) {
            throw new AgentServer.Conflict("volume " + call.volume().volume() + " is " + size + " bytes here after a refresh, "
                    + "not the " + call.size() + " it was extended to");
        }
        return new AgentProtocol.RefreshReply(size);
    }

    @Override
    public CompletionStage<Void> refreshDestinations(VolumeRef volume, long size) {
        List<Outgoing> involved;
        synchronized (this) {
            involved = outgoing.values().stream().filter(m -> !m.ended() && m.has(volume)).toList();
        }
        CompletionStage<Void> all = libvirt.refreshDestinations(volume, size);
        for (Outgoing m : involved) {
            all = all.thenCompose(ok -> m.refreshDestination(volume, size));
        }
        return all;
    }

    List<MigrationStatus> snapshot() {
        List<MigrationStatus> hooked = libvirt.snapshot(); // first, not holding this lock: it may record ends
        synchronized (this) {
            return snapshot(hooked);
        }
    }

    private List<MigrationStatus> snapshot(List<MigrationStatus> hooked) {
        List<MigrationStatus> all = new ArrayList<>(hooked);
        outgoing.values().stream().filter(m -> !m.ended()).forEach(m -> all.add(m.status()));
        incoming.values().stream().filter(m -> !m.ended()).forEach(m -> all.add(m.status()));
        all.sort(Comparator.comparingLong(MigrationStatus::startedMillis).reversed());
        all.addAll(ended);
        return all;
    }

    AttachmentStatus attach(UUID volume) {
        VolumeRef ref = find(volume);
        destination.attachments().attach("admin", ref, storage::prepare);
        return destination.attachments().snapshot().stream().filter(a -> a.volume().equals(volume.toString()))
                .findFirst().orElseThrow();
    }

    void detach(UUID volume) {
        for (VolumeRef v : destination.attachments().detach(List.of(find(volume)))) {
            storage.teardown(v);
        }
    }

    private VolumeRef find(UUID volume) {
        for (var domain : storage.domains()) {
            try {
                return domain.volume(volume);
            } catch (org.headroom.api.storage.UnknownVolumeException notHere) {
                // The next domain may have it.
            }
        }
        throw new IllegalArgumentException("no storage domain connected to this host has volume " + volume);
    }

    List<AttachmentStatus> attachments() {
        return destination.attachments().snapshot();
    }

    private synchronized Incoming incoming(String migration) {
        Incoming m = incoming.get(migration);
        if (m == null) {
            throw new AgentServer.Conflict("no incoming migration " + migration + " here");
        }
        return m;
    }

    private synchronized void ended(MigrationStatus status) {
        if (status.direction().equals("incoming")) {
            incoming.remove(status.id());
        } else if (outgoing.get(status.vm()) != null && outgoing.get(status.vm()).ended()) {
            outgoing.remove(status.vm());
        }
        ended.addFirst(status);
        while (ended.size() > ENDED_KEPT) {
            ended.removeLast();
        }
    }

    static EndpointStatus endpoint(String host, AgentServer server, String broken) {
        if (server == null) {
            return new EndpointStatus(host, "", "broken: " + broken, 0, 0, 0, 0, 0);
        }
        return new EndpointStatus(host, "https://" + server.address().getHostString() + ":" + server.address().getPort(),
                "serving", server.served(), server.refusedNoCert(), server.refusedUntrusted(), server.badRequests(),
                server.failures());
    }
}
