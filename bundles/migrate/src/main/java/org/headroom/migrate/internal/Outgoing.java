package org.headroom.migrate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.headroom.api.migration.DestinationRefreshException;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.migrate.MigrationOptions;
import org.headroom.migrate.MigrationStatus;
import org.headroom.qmp.QmpClient;
import org.headroom.qmp.QmpEvent;
import org.headroom.qmp.QmpEventListener;
import org.headroom.qmp.QmpService;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's side of one migration of a QEMU process, and its one owner: every step and every
 * event runs on the migrations' thread, and the migration ends exactly once ({@link #done}).
 *
 * <pre>
 * preparing   the destination attaches the volumes and its QEMU listens (-incoming defer)
 * migrating   "migrate" sent with pause-before-switchover: RAM is copied while the guest runs
 * switchover  QEMU stopped the guest and waits (pre-switchover, inside the downtime): the
 *             destination activates; then "migrate-continue"
 * completing  QEMU sends the device state
 * landing     completed here: the destination resumes the VM ("cont"); this QEMU is quit
 * completed | failed | cancelled
 * </pre>
 * A failure or a cancel at any state before landing leaves the VM running here, its drives still
 * watched, and has the destination detach what it attached.
 */
final class Outgoing {
    private static final Logger LOG = LoggerFactory.getLogger(Outgoing.class);

    /** What the source needs from its host. */
    record Host(QmpService qmp, StorageDomains storage, AgentClient peers, Scheduler thread, Duration callTimeout,
                Duration activateTimeout, Duration migrationTimeout) {
    }

    private final Host host;
    private final String id;
    private final String vm;
    private final String destination;
    private final boolean legacy;
    private final List<VolumeRef> volumes;
    private final MigrationOptions options;
    private final long started = System.currentTimeMillis();
    private final CompletableFuture<MigrationStatus> result = new CompletableFuture<>();
    /** The destination's answer to "incoming": its volumes are attached once it completed. */
    private final CompletableFuture<AgentProtocol.PrepareReply> prepared = new CompletableFuture<>();
    private volatile String state = "preparing";
    private volatile String qemuStatus = "none";
    private volatile String error = "";
    private volatile double attachMillis = Double.NaN;
    private volatile double activateMillis = Double.NaN;
    private volatile double destinationMillis = Double.NaN;
    private volatile double downtimeMillis = Double.NaN;
    private volatile long qemuDowntimeMillis = -1;
    private long stopMicros = -1;
    private long switchoverNanos;
    private boolean cancelRequested;
    private boolean migrateSent;
    private boolean readyAsked;
    private AutoCloseable events;
    private Cancellable deadline;

    Outgoing(Host host, String id, String vm, String destination, boolean legacy, List<VolumeRef> volumes,
             MigrationOptions options) {
        this.host = host;
        this.id = id;
        this.vm = vm;
        this.destination = destination;
        this.legacy = legacy;
        this.volumes = List.copyOf(volumes);
        this.options = options;
    }

    String vm() {
        return vm;
    }

    CompletionStage<MigrationStatus> result() {
        return result;
    }

    boolean ended() {
        return result.isDone();
    }

    /** Starts it, on the migrations' thread. */
    void start() {
        host.thread().execute(this::prepare);
    }

    private void prepare() {
        deadline = host.thread().schedule(() -> {
            if (!ended()) {
                error = "not completed within " + host.migrationTimeout().toSeconds() + " s";
                cancelNow();
            }
        }, host.migrationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            events = host.qmp().subscribe(vm, Set.of("MIGRATION", "STOP"), new QmpEventListener() {
                @Override
                public void onEvent(QmpEvent event) {
                    host.thread().execute(() -> onQemuEvent(event));
                }

                @Override
                public void onConnectionState(QmpClient.State s) {
                    if (s != QmpClient.State.CONNECTED) {
                        host.thread().execute(() -> lostQemu(s));
                    }
                }
            });
        } catch (RuntimeException e) {
            done("failed", "cannot watch VM " + vm + ": " + e.getMessage());
            return;
        }
        host.peers().call(destination, "/v1/incoming", new AgentProtocol.Prepare(id,
                        options.nameThere() == null ? vm : options.nameThere(), volumes, legacy),
                        AgentProtocol.PrepareReply.class, host.callTimeout())
                .whenCompleteAsync(this::incoming, host.thread());
    }

    private void incoming(AgentProtocol.PrepareReply reply, Throwable failure) {
        if (ended()) {
            return;
        }
        if (failure != null) {
            prepared.completeExceptionally(failure);
            done("failed", "the destination did not prepare: " + message(failure));
            return;
        }
        attachMillis = reply.attachMillis();
        prepared.complete(reply);
        if (cancelRequested) {
            abortDestination("cancelled before the migration started", true);
            done("cancelled", error.isEmpty() ? "cancelled before the migration started" : error);
            return;
        }
        qmp("migrate-set-capabilities", Incoming.capabilities("events", "pause-before-switchover"))
                .thenCompose(ok -> qmp("migrate-set-parameters", JsonNodeFactory.instance.objectNode()
                        // QEMU's default when none is asked: each migration sets its own, none inherits the last's.
                        .put("max-bandwidth", options.bandwidthMiBs() > 0 ? (long) options.bandwidthMiBs() << 20 : 128L << 20)))
                .thenCompose(ok -> qmp("migrate", JsonNodeFactory.instance.objectNode().put("uri", reply.uri())))
                .whenCompleteAsync((ok, e) -> {
                    if (e != null) {
                        endHere("failed", "the source's QEMU refused to migrate: " + message(e));
                        return;
                    }
                    migrateSent = true;
                    if (!ended() && state.equals("preparing")) {
                        state = "migrating";
                    }
                }, host.thread());
    }

    private void onQemuEvent(QmpEvent event) {
        if (ended()) {
            return;
        }
        if (event.name().equals("STOP")) {
            stopMicros = event.timestampMicros();
            return;
        }
        qemuStatus = event.data().path("status").asText();
        switch (qemuStatus) {
            case "active" -> ready();
            case "pre-switchover" -> switchover();
            case "completed" -> land();
            case "failed", "cancelled" -> failedInQemu(qemuStatus);
            default -> {
                // setup, device: progress only.
            }
        }
    }

    /**
     * While RAM is copied, once: the destination confirms it can activate (every volume attached,
     * with early attach), so that a missing attachment cancels the migration before the guest is
     * paused rather than inside the downtime; the call also leaves the connection and the
     * destination's path to activate warm for the switchover.
     */
    private void ready() {
        if (readyAsked) {
            return;
        }
        readyAsked = true;
        host.peers().call(destination, "/v1/incoming/ready", new AgentProtocol.MigrationRef(id), AgentProtocol.Ack.class,
                        host.activateTimeout())
                .whenCompleteAsync((ok, e) -> {
                    if (e != null && !ended() && state.equals("migrating")) {
                        error = "the destination cannot activate: " + message(e);
                        cancelNow();
                    }
                }, host.thread());
    }

    /** Inside the downtime: the destination activates (attaches too, with legacy); then QEMU goes on. */
    private void switchover() {
        state = "switchover";
        switchoverNanos = System.nanoTime();
        host.peers().call(destination, "/v1/incoming/activate", new AgentProtocol.MigrationRef(id),
                        AgentProtocol.ActivateReply.class, host.activateTimeout())
                .whenCompleteAsync((reply, e) -> {
                    if (ended()) {
                        return;
                    }
                    activateMillis = (System.nanoTime() - switchoverNanos) / 1e6;
                    if (e != null) {
                        error = "the destination did not activate: " + message(e);
                        cancelNow();
                        return;
                    }
                    destinationMillis = reply.activateMillis();
                    if (legacy) {
                        attachMillis = reply.attachMillis();
                    }
                    if (cancelRequested) {
                        cancelNow();
                        return;
                    }
                    state = "completing";
                    qmp("migrate-continue", JsonNodeFactory.instance.objectNode().put("state", "pre-switchover"))
                            .whenCompleteAsync((ok, ce) -> {
                                if (ce != null && !ended()) {
                                    error = "migrate-continue failed: " + message(ce);
                                    cancelNow();
                                }
                            }, host.thread());
                }, host.thread());
    }

    private void land() {
        state = "landing";
        qmp("query-migrate", null).thenAccept(q -> qemuDowntimeMillis = q.path("downtime").asLong(-1))
                .exceptionally(e -> null)
                .thenCompose(ignored -> host.peers().call(destination, "/v1/incoming/land", new AgentProtocol.MigrationRef(id),
                        AgentProtocol.LandReply.class, host.callTimeout()))
                .whenCompleteAsync((reply, e) -> {
                    if (ended()) {
                        return;
                    }
                    if (e != null) {
                        // This QEMU handed the VM over; only the destination can run it now. Say so, loudly.
                        done("failed", "completed here but the destination did not resume the VM: " + message(e)
                                + "; this host's QEMU is left paused (postmigrate)");
                        return;
                    }
                    if (stopMicros > 0) {
                        downtimeMillis = (reply.resumeMicros() - stopMicros) / 1e3;
                    }
                    qmp("quit", null).exceptionally(qe -> null);
                    releaseHere();
                    done("completed", "");
                }, host.thread());
    }

    private void failedInQemu(String status) {
        qmp("query-migrate", null).handle((q, e) -> q == null ? "" : q.path("error-desc").asText(""))
                .thenAcceptAsync(desc -> {
                    String why = !error.isEmpty() ? error : "QEMU reports the migration " + status
                            + (desc.isEmpty() ? "" : ": " + desc);
                    endHere(cancelRequested || status.equals("cancelled") ? "cancelled" : "failed", why);
                }, host.thread());
    }

    private void lostQemu(QmpClient.State s) {
        if (ended() || state.equals("landing")) {
            return;
        }
        endHere("failed", "lost the source's QEMU (" + s + ") while " + state);
    }

    /** Cancels in whatever state: the destination detaches, the VM runs on here. */
    void cancel() {
        host.thread().execute(() -> {
            if (ended()) {
                return;
            }
            if (error.isEmpty()) {
                error = "cancelled by the admin";
            }
            cancelRequested = true;
            cancelNow();
        });
    }

    private void cancelNow() {
        cancelRequested = true;
        if (!migrateSent && state.equals("preparing")) {
            if (prepared.isDone()) {
                endHere("cancelled", error);
            }
            // Else the destination's answer, when it comes, sees the cancel.
            return;
        }
        if (state.equals("landing")) {
            return; // Past the point of no return: the destination has the VM.
        }
        qmp("migrate_cancel", null).whenCompleteAsync((ok, e) -> {
            if (e != null && !ended()) {
                endHere("failed", error + "; migrate_cancel failed: " + message(e));
            }
            // Else QEMU's "cancelled" event ends it.
        }, host.thread());
    }

    /** Ends the migration here as {@code end} (failed or cancelled), the destination told to detach. */
    private void endHere(String end, String why) {
        abortDestination(why, end.equals("cancelled"));
        done(end, why);
    }

    private void abortDestination(String why, boolean cancelled) {
        host.peers().call(destination, "/v1/incoming/abort", new AgentProtocol.Abort(id, why, cancelled),
                AgentProtocol.Ack.class, host.callTimeout()).whenComplete((ok, e) -> {
                    if (e != null) {
                        LOG.warn("migration {} of {}: the destination {} did not confirm the abort: {}", id, vm, destination,
                                message(e));
                    }
                });
    }

    /** The source's run paths of the VM's volumes, where this agent made them: the VM left. */
    private void releaseHere() {
        for (VolumeRef v : volumes) {
            try {
                if (Files.isSymbolicLink(host.storage().runPath(v))) {
                    host.storage().teardown(v);
                }
            } catch (RuntimeException e) {
                LOG.warn("migration {}: releasing {} here failed: {}", id, v, e.getMessage());
            }
        }
    }

    /** Refreshes an extended volume on the destination, once it attached, and checks its size there. */
    CompletionStage<Void> refreshDestination(VolumeRef volume, long size) {
        return prepared.thenCompose(reply -> refreshOn(host.peers(), id, destination, volume, size, host.callTimeout()));
    }

    /**
     * Asks {@code destination} to refresh {@code volume} and checks it sees {@code size} there; a
     * failure of either is a {@link DestinationRefreshException}.
     */
    static CompletionStage<Void> refreshOn(AgentClient peers, String id, String destination, VolumeRef volume, long size,
                                           Duration timeout) {
        return peers.call(destination, "/v1/volumes/refresh", new AgentProtocol.Refresh(volume, size),
                        AgentProtocol.RefreshReply.class, timeout)
                .handle((reply, e) -> {
                    if (e != null) {
                        throw new DestinationRefreshException("migration " + id + ": the destination " + destination
                                + " did not refresh " + volume.volume() + ": " + message(e), e);
                    }
                    if (reply.size() < size) {
                        throw new DestinationRefreshException("migration " + id + ": the destination " + destination + " sees "
                                + volume.volume() + " at " + reply.size() + " bytes, extended to " + size);
                    }
                    return null;
                });
    }

    boolean has(VolumeRef volume) {
        return volumes.contains(volume);
    }

    private void done(String end, String why) {
        if (ended()) {
            return;
        }
        state = end;
        error = why;
        if (deadline != null) {
            deadline.cancel();
        }
        try {
            if (events != null) {
                events.close();
            }
        } catch (Exception e) {
            // Gone with its client.
        }
        if (end.equals("completed")) {
            LOG.info("migration {} of {} to {} completed: attach {} ms ({}), storage work in the downtime {} ms (the destination's"
                            + " own {} ms), downtime {} ms (QEMU: {} ms)", id, vm, destination, fmt(attachMillis),
                    legacy ? "legacy, inside the downtime" : "early", fmt(activateMillis), fmt(destinationMillis),
                    fmt(downtimeMillis), qemuDowntimeMillis);
        } else {
            LOG.warn("migration {} of {} to {} {}: {}; the VM runs on here", id, vm, destination, end, why);
        }
        result.complete(status());
    }

    MigrationStatus status() {
        return new MigrationStatus(id, vm, "outgoing", destination, state, qemuStatus, legacy ? "legacy" : "early",
                volumes.stream().map(v -> v.volume().toString()).toList(), attachMillis, activateMillis, destinationMillis, downtimeMillis,
                qemuDowntimeMillis, started, error);
    }

    private CompletableFuture<JsonNode> qmp(String command, JsonNode args) {
        try {
            return host.qmp().execute(vm, command, args).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String fmt(double ms) {
        return String.format(java.util.Locale.ROOT, "%.1f", ms);
    }

    static String message(Throwable e) {
        Throwable c = e;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
