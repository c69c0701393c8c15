package org.headroom.migrate.internal;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.headroom.api.migration.HookedMigrations;
import org.headroom.api.migration.MigrationRefusedException;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.migrate.MigrationStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrations libvirt runs, as the hooks tell them ({@link HookedMigrations}): on the
 * destination an <em>arrival</em> (the volumes it attached, the source that claimed them), on the
 * source a <em>departure</em> (the volumes it refreshes on the destination first).
 *
 * <p>Under libvirt there is no activate step inside the downtime: libvirt answers QEMU's
 * pre-switchover itself, and a loop device or an LV is usable on two hosts at once. An arrival's
 * attachments become active when the source reports the VM left it (its release hook): from then
 * the destination's QEMU is the only writer. A migration nobody reports the end of is ended after
 * the migration timeout.
 */
final class LibvirtMigrations implements HookedMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtMigrations.class);
    /** An announcement waits at most this long for the peers: libvirt waits for the hook meanwhile. */
    private static final Duration ANNOUNCE_TIMEOUT = Duration.ofSeconds(10);

    /** One migration libvirt runs, as this host sees it. */
    private static final class Flow {
        final String id;
        final String vm;
        final String direction;
        final String peer;
        final List<VolumeRef> volumes;
        final long startedMillis;
        final long deadlineNanos;
        final double attachMillis;
        volatile String state = "migrating";
        volatile String error = "";

        Flow(String id, String vm, String direction, String peer, List<VolumeRef> volumes, long startedMillis,
             long deadlineNanos, double attachMillis) {
            this.id = id;
            this.vm = vm;
            this.direction = direction;
            this.peer = peer;
            this.volumes = List.copyOf(volumes);
            this.startedMillis = startedMillis;
            this.deadlineNanos = deadlineNanos;
            this.attachMillis = attachMillis;
        }

        boolean has(VolumeRef v) {
            return volumes.contains(v);
        }

        boolean hasAny(List<VolumeRef> vs) {
            return vs.stream().anyMatch(this::has);
        }

        MigrationStatus status() {
            return new MigrationStatus(id, vm, direction, peer, state, "libvirt", "early",
                    volumes.stream().map(v -> v.volume().toString()).toList(), attachMillis, Double.NaN, Double.NaN,
                    Double.NaN, -1, startedMillis, error);
        }
    }

    private final StorageDomains storage;
    private final Attachments attachments;
    private final AgentClient peers;
    private final Duration callTimeout;
    private final long timeoutNanos;
    private final LongSupplier nanoTime;
    private final Consumer<MigrationStatus> ended;
    private final Map<String, Flow> flows = new LinkedHashMap<>();

    /**
     * @param peers   the pool's agents; null when live migration is off (then every arrival is refused)
     * @param ended   where an ended migration is recorded
     */
    LibvirtMigrations(StorageDomains storage, Attachments attachments, AgentClient peers, Duration callTimeout,
                      Duration migrationTimeout, LongSupplier nanoTime, Consumer<MigrationStatus> ended) {
        this.storage = storage;
        this.attachments = attachments;
        this.peers = peers;
        this.callTimeout = callTimeout;
        this.timeoutNanos = migrationTimeout.toNanos();
        this.nanoTime = nanoTime;
        this.ended = ended;
    }

    // ---- the destination ---------------------------------------------------------------------

    @Override
    public void arriving(String vm, List<VolumeRef> volumes) {
        if (volumes.isEmpty()) {
            return; // nothing on Headroom's storage: nothing to attach, nothing to refresh first
        }
        if (peers == null) {
            throw new MigrationRefusedException("live migration is off on this host (no pool certificate): the source's "
                    + "agent cannot be told to refresh " + vm + "'s volumes here first");
        }
        String id = UUID.randomUUID().toString();
        long t0 = System.nanoTime();
        try {
            for (VolumeRef v : volumes) {
                if (storage.domain(v.domain()).isEmpty()) {
                    throw new MigrationRefusedException("cannot attach volume " + v.volume() + ": its domain " + v.domain()
                            + " is not connected to this host");
                }
                attachments.attach(id, v, storage::prepare);
            }
        } catch (RuntimeException e) {
            detach(id, volumes);
            throw e instanceof MigrationRefusedException r ? r
                    : new MigrationRefusedException("cannot attach " + vm + "'s volumes here: " + e.getMessage(), e);
        }
        double attachMillis = (System.nanoTime() - t0) / 1e6;
        String source = announce(id, vm, volumes);
        if (source == null) {
            detach(id, volumes);
            throw new MigrationRefusedException("no agent of the pool (" + peers.peers() + ") has " + vm + "'s volumes "
                    + volumes.stream().map(v -> v.volume().toString()).toList() + " in use: its extensions could not "
                    + "follow it here");
        }
        synchronized (this) {
            flows.put(id, new Flow(id, vm, "incoming", source, volumes, System.currentTimeMillis(),
                    nanoTime.getAsLong() + timeoutNanos, attachMillis));
        }
        LOG.info("migration {}: libvirt migrates {} here from {}; its volumes {} attached in {} ms", id, vm, source,
                volumes.stream().map(v -> v.volume().toString()).toList(), String.format("%.1f", attachMillis));
    }

    /** Tells every peer; returns the one that has the volumes in use, or null. */
    private String announce(String id, String vm, List<VolumeRef> volumes) {
        Map<String, CompletableFuture<AgentProtocol.DepartureReply>> calls = new LinkedHashMap<>();
        for (String peer : peers.peers()) {
            calls.put(peer, peers.call(peer, "/v1/departures", new AgentProtocol.Departure(id, vm, volumes),
                    AgentProtocol.DepartureReply.class, ANNOUNCE_TIMEOUT));
        }
        String source = null;
        for (var call : calls.entrySet()) {
            try {
                if (call.getValue().get(ANNOUNCE_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS).source() && source == null) {
                    source = call.getKey();
                }
            } catch (Exception e) {
                LOG.warn("migration {}: {} was not told that {} arrives here: {}", id, call.getKey(), vm, Outgoing.message(e));
            }
        }
        return source;
    }

    private void detach(String id, List<VolumeRef> volumes) {
        for (VolumeRef v : attachments.detach(volumes)) {
            try {
                storage.teardown(v);
            } catch (RuntimeException e) {
                LOG.error("migration {}: detaching volume {} failed: {}", id, v.volume(), e.getMessage());
            }
        }
    }

    /** {@code /v1/arrivals/ended}: the source released the volumes; the VM runs here now. */
    AgentProtocol.Ack arrived(String caller, AgentProtocol.Ended call) {
        Flow f = take(call.migration(), "incoming", caller);
        if (f != null) {
            for (VolumeRef v : f.volumes) {
                attachments.activate(v.volume());
            }
            attachments.landed(f.volumes);
            end(f, "completed", "");
        }
        return new AgentProtocol.Ack(true);
    }

    /**
     * Refreshes here a volume of an arrival, for its source; its size, or -1 when no arrival has it.
     */
    long refresh(VolumeRef volume) {
        expire();
        String id;
        synchronized (this) {
            id = flows.values().stream().filter(f -> f.direction.equals("incoming") && f.has(volume))
                    .map(f -> f.id).findFirst().orElse(null);
        }
        return id == null ? -1 : Incoming.refreshAttached(storage, attachments, id, volume);
    }

    // ---- the source --------------------------------------------------------------------------

    /** {@code /v1/departures}: a peer attached these volumes for a VM libvirt migrates to it. */
    AgentProtocol.DepartureReply depart(String caller, AgentProtocol.Departure call) {
        List<VolumeRef> inUse = call.volumes().stream()
                .filter(v -> Files.exists(storage.runPath(v), LinkOption.NOFOLLOW_LINKS))
                .toList();
        if (inUse.isEmpty()) {
            return new AgentProtocol.DepartureReply(false);
        }
        synchronized (this) {
            if (flows.containsKey(call.migration())) {
                throw new AgentServer.Conflict("migration " + call.migration() + " is already known here");
            }
            flows.put(call.migration(), new Flow(call.migration(), call.vm(), "outgoing", caller, inUse,
                    System.currentTimeMillis(), nanoTime.getAsLong() + timeoutNanos, Double.NaN));
        }
        LOG.info("migration {}: libvirt migrates the VM of volumes {} to {} (there: {}); extensions are refreshed there "
                + "first until it lands", call.migration(), inUse.stream().map(v -> v.volume().toString()).toList(), caller,
                call.vm());
        return new AgentProtocol.DepartureReply(true);
    }

    /** {@code /v1/departures/ended}: the destination released the volumes before the VM landed. */
    AgentProtocol.Ack departureFailed(String caller, AgentProtocol.Ended call) {
        Flow f = take(call.migration(), "outgoing", caller);
        if (f != null) {
            end(f, "failed", call.reason().isEmpty() ? "the destination released the volumes" : call.reason());
            LOG.info("migration {}: {} did not take the VM ({}): it runs on here, watched as before", f.id, caller, f.error);
        }
        return new AgentProtocol.Ack(true);
    }

    /** Refreshes on each destination a departing VM's extended volume, one after the other. */
    CompletionStage<Void> refreshDestinations(VolumeRef volume, long size) {
        expire();
        List<Flow> involved;
        synchronized (this) {
            involved = flows.values().stream().filter(f -> f.direction.equals("outgoing") && f.has(volume)).toList();
        }
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (Flow f : involved) {
            all = all.thenCompose(ok -> Outgoing.refreshOn(peers, f.id, f.peer, volume, size, callTimeout));
        }
        return all;
    }

    // ---- either side -------------------------------------------------------------------------

    @Override
    public void released(String vm, List<VolumeRef> volumes) {
        List<Flow> involved;
        synchronized (this) {
            involved = flows.values().stream().filter(f -> f.hasAny(volumes)).toList();
            involved.forEach(f -> flows.remove(f.id));
        }
        for (Flow f : involved) {
            if (f.direction.equals("incoming")) {
                attachments.detach(f.volumes); // the hook tore them down
                end(f, "failed", "released here before it landed (the migration failed or was cancelled)");
                tell(f, "/v1/departures/ended", "the destination released the volumes before the VM landed there "
                        + "(the migration failed or was cancelled)");
            } else {
                end(f, "completed", "");
                tell(f, "/v1/arrivals/ended", "");
                LOG.info("migration {}: {} left this host for {}", f.id, vm, f.peer);
            }
        }
    }

    private void tell(Flow f, String path, String reason) {
        if (peers == null) {
            return;
        }
        peers.call(f.peer, path, new AgentProtocol.Ended(f.id, reason), AgentProtocol.Ack.class, callTimeout)
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        LOG.warn("migration {}: {} was not told its end: {}; it ends there after its timeout", f.id, f.peer,
                                Outgoing.message(e));
                    }
                });
    }

    List<MigrationStatus> snapshot() {
        expire();
        synchronized (this) {
            return flows.values().stream().map(Flow::status).toList();
        }
    }

    private synchronized Flow take(String id, String direction, String caller) {
        Flow f = flows.get(id);
        if (f == null || !f.direction.equals(direction) || !f.peer.equals(caller)) {
            return null; // ended already (by its release, or its timeout): nothing left to do
        }
        flows.remove(id);
        return f;
    }

    /** Records the end; never called holding this object's lock (the record takes the registry's). */
    private void end(Flow f, String state, String why) {
        f.state = state;
        f.error = why;
        ended.accept(f.status());
    }

    /** Ends the migrations nobody reported the end of within the timeout. */
    private void expire() {
        List<Flow> expired = new ArrayList<>();
        synchronized (this) {
            long now = nanoTime.getAsLong();
            for (Flow f : new ArrayList<>(flows.values())) {
                if (now - f.deadlineNanos > 0) {
                    flows.remove(f.id);
                    expired.add(f);
                }
            }
        }
        for (Flow f : expired) {
            if (f.direction.equals("incoming")) {
                attachments.landed(f.volumes); // the volumes stay as they are: the release hook tears them down
            }
            end(f, "failed", "no end reported within the migration timeout");
            LOG.warn("migration {}: {} {} {}: no end reported within the migration timeout; no longer followed", f.id,
                    f.vm, f.direction, f.peer);
        }
    }
}
