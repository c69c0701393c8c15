package org.headroom.migrate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.migrate.MigrationStatus;
import org.headroom.qmp.QmpEvent;
import org.headroom.qmp.QmpEventListener;
import org.headroom.qmp.QmpService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination's side of one migration, driven by the source's calls: attach, listen,
 * activate, land, or abort. Calls of one migration are serialized on this object; each waits for
 * QEMU or storage with a timeout.
 */
final class Incoming {
    private static final Logger LOG = LoggerFactory.getLogger(Incoming.class);

    /** What the destination needs from its host. */
    record Host(QmpService qmp, StorageDomains storage, Attachments attachments, Path runDir, String incoming,
                Duration callTimeout) {
    }

    private final Host host;
    private final AgentProtocol.Prepare request;
    private final String source;
    private final long started = System.currentTimeMillis();
    private final CompletableFuture<String> outcome = new CompletableFuture<>();
    private final CompletableFuture<Long> resumed = new CompletableFuture<>();
    private volatile String state = "preparing";
    private volatile String qemuStatus = "none";
    private volatile String error = "";
    private volatile double attachMillis = Double.NaN;
    private volatile double activateMillis = Double.NaN;
    private AutoCloseable events;

    Incoming(Host host, AgentProtocol.Prepare request, String source) {
        this.host = host;
        this.request = request;
        this.source = source;
    }

    String id() {
        return request.migration();
    }

    boolean ended() {
        return status().ended();
    }

    /** Attaches (unless legacy), readies the VM's QEMU and starts it listening; returns the URI. */
    synchronized AgentProtocol.PrepareReply prepare() throws Exception {
        String vm = request.vm();
        String status = qmp("query-status", null).path("status").asText();
        if (!status.equals("inmigrate")) {
            throw new AgentServer.Conflict("VM " + vm + " on this host is not waiting for an incoming migration (status "
                    + status + "): start its QEMU with -incoming defer");
        }
        try {
            long t0 = System.nanoTime();
            boolean attached = false;
            for (VolumeRef v : request.volumes()) {
                if (!request.legacy() && earlyAttach(v)) {
                    attach(v);
                    attached = true;
                }
            }
            attachMillis = attached ? (System.nanoTime() - t0) / 1e6 : Double.NaN;
            events = host.qmp().subscribe(vm, Set.of("MIGRATION", "RESUME"), new QmpEventListener() {
                @Override
                public void onEvent(QmpEvent event) {
                    if (event.name().equals("RESUME")) {
                        resumed.complete(event.timestampMicros());
                        return;
                    }
                    qemuStatus = event.data().path("status").asText();
                    if (qemuStatus.equals("completed") || qemuStatus.equals("failed") || qemuStatus.equals("cancelled")) {
                        outcome.complete(qemuStatus);
                    }
                }
            });
            qmp("migrate-set-capabilities", capabilities("events", "late-block-activate"));
            String uri = uri();
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("uri", uri);
            qmp("migrate-incoming", args);
            state = "migrating";
            LOG.info("incoming migration {} of VM {} from {}: {} volumes {} in {} ms, listening on {}", id(), vm, source,
                    request.volumes().size(), request.legacy() ? "left to attach in the downtime (legacy)" : "attached",
                    String.format(java.util.Locale.ROOT, "%.1f", attachMillis), uri);
            return new AgentProtocol.PrepareReply(uri, attachMillis);
        } catch (Exception | Error e) {
            abort(e.getMessage() == null ? e.toString() : e.getMessage(), false);
            throw e;
        }
    }

    /** Before the downtime: whether activate will find what it needs (with early attach, every volume attached). */
    synchronized AgentProtocol.Ack ready() {
        if (!state.equals("migrating")) {
            throw new AgentServer.Conflict("the incoming migration " + id() + " is " + state + ", not migrating");
        }
        if (!request.legacy()) {
            for (VolumeRef v : request.volumes()) {
                if (!host.attachments().attached(v.volume())) {
                    throw new AgentServer.Conflict("volume " + v.volume() + " is no longer attached on this host");
                }
            }
        }
        return new AgentProtocol.Ack(true);
    }

    /**
     * Inside the downtime: with legacy attach, every volume's attach (again, if the cluster manager
     * attached it ahead: attach is idempotent, and legacy means its cost is paid here); then activate.
     */
    synchronized AgentProtocol.ActivateReply activate() {
        long t0 = System.nanoTime();
        double legacyAttach = Double.NaN;
        for (VolumeRef v : request.volumes()) {
            if (request.legacy() || !host.attachments().attached(v.volume())) {
                attach(v);
                legacyAttach = (System.nanoTime() - t0) / 1e6;
            }
        }
        for (VolumeRef v : request.volumes()) {
            host.attachments().activate(v.volume());
        }
        activateMillis = (System.nanoTime() - t0) / 1e6;
        if (!Double.isNaN(legacyAttach)) {
            attachMillis = legacyAttach;
        }
        state = "switchover";
        return new AgentProtocol.ActivateReply(legacyAttach, activateMillis);
    }

    /** The source completed: wait for this QEMU to have it all, resume the VM here, tell when it ran. */
    synchronized AgentProtocol.LandReply land() throws Exception {
        state = "landing";
        String result = await(outcome, "the incoming migration to complete");
        if (!result.equals("completed")) {
            throw new AgentServer.Conflict("the incoming migration " + id() + " ended " + result + " here");
        }
        qmp("cont", null);
        long resumeMicros = await(resumed, "the VM to resume");
        host.attachments().landed(request.volumes());
        close();
        state = "completed";
        LOG.info("incoming migration {} of VM {} from {} landed: the VM runs here", id(), request.vm(), source);
        return new AgentProtocol.LandReply(resumeMicros);
    }

    /**
     * The migration failed or was cancelled: the QEMU that waited here is ended (its state is of no
     * use) and every volume attached for it detached. Idempotent.
     */
    synchronized void abort(String why, boolean cancelled) {
        if (ended()) {
            return;
        }
        close();
        try {
            qmp("quit", null);
        } catch (Exception e) {
            // QEMU ends by itself once the stream it was loading broke: nothing left to quit.
        }
        for (VolumeRef v : host.attachments().detach(request.volumes())) {
            try {
                host.storage().teardown(v);
            } catch (RuntimeException e) {
                LOG.warn("incoming migration {}: tearing down {} failed: {}", id(), v, e.getMessage());
            }
        }
        error = why;
        state = cancelled ? "cancelled" : "failed";
        LOG.warn("incoming migration {} of VM {} from {} ended: {}; its volumes are detached", id(), request.vm(), source, why);
    }

    /** The extended volume as this host sees it after a refresh. */
    long refresh(VolumeRef volume) {
        return refreshAttached(host.storage(), host.attachments(), id(), volume);
    }

    /** Refreshes a volume attached here for {@code migration}; its size now. */
    static long refreshAttached(StorageDomains storage, Attachments attachments, String migration, VolumeRef volume) {
        if (!attachments.attached(volume.volume())) {
            throw new AgentServer.Conflict("volume " + volume.volume() + " is not attached on this host");
        }
        long size = storage.domain(volume.domain())
                .orElseThrow(() -> new UnknownVolumeException(volume))
                .volumes().refresh(volume);
        LOG.info("migration {}: refreshed volume {} here before the source: {} MiB", migration, volume.volume(), size >> 20);
        return size;
    }

    boolean has(VolumeRef volume) {
        return request.volumes().contains(volume);
    }

    MigrationStatus status() {
        return new MigrationStatus(id(), request.vm(), "incoming", source, state, qemuStatus,
                request.legacy() ? "legacy" : "early", request.volumes().stream().map(v -> v.volume().toString()).toList(),
                attachMillis, activateMillis, activateMillis, Double.NaN, -1, started, error);
    }

    private void attach(VolumeRef v) {
        if (host.storage().domain(v.domain()).isEmpty()) {
            throw new AgentServer.Conflict("cannot attach volume " + v.volume() + ": its domain " + v.domain()
                    + " is not connected to this host");
        }
        host.attachments().attach(id(), v, host.storage()::prepare);
    }

    private boolean earlyAttach(VolumeRef v) {
        return host.storage().domain(v.domain()).map(d -> d.volumes().canAttachEarly()).orElse(true);
    }

    private String uri() throws java.io.IOException {
        if (!host.incoming().equals("unix")) {
            return host.incoming();
        }
        Files.createDirectories(host.runDir());
        // Short: a UNIX socket's path has at most 107 bytes; one migration at a time per VM makes 8 hex digits plenty.
        Path socket = host.runDir().resolve("in-" + id().substring(0, Math.min(8, id().length())) + ".sock");
        if (socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw new AgentServer.Conflict("the incoming migration's socket " + socket + " is longer than a UNIX socket's"
                    + " path may be (107 bytes): set a shorter run_dir in etc/org.headroom.migrate.cfg");
        }
        Files.deleteIfExists(socket);
        return "unix:" + socket;
    }

    private JsonNode qmp(String command, JsonNode args) throws Exception {
        return await(host.qmp().execute(request.vm(), command, args).toCompletableFuture(), command);
    }

    private <T> T await(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(host.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AgentServer.Conflict("no " + what + " within " + host.callTimeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof Exception x ? x : new IllegalStateException(c);
        }
    }

    static JsonNode capabilities(String... names) {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        var list = args.putArray("capabilities");
        for (String n : names) {
            list.addObject().put("capability", n).put("state", true);
        }
        return args;
    }

    private void close() {
        if (events != null) {
            try {
                events.close();
            } catch (Exception e) {
                // The subscription of a client that is gone is gone with it.
            }
            events = null;
        }
    }

    List<VolumeRef> volumes() {
        return new ArrayList<>(request.volumes());
    }
}
