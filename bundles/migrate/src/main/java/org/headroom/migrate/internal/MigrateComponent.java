package org.headroom.migrate.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.migration.HookedMigrations;
import org.headroom.api.migration.MigratingVolumes;
import org.headroom.api.migration.MigrationRefusedException;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.migrate.AttachmentStatus;
import org.headroom.migrate.EndpointStatus;
import org.headroom.migrate.MigrationOptions;
import org.headroom.migrate.MigrationService;
import org.headroom.migrate.MigrationStatus;
import org.headroom.qmp.QmpService;
import org.headroom.runtime.ThreadScheduler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires live migration: the agents' endpoint (the JDK's HTTPS server, mutual TLS with the pool's
 * CA), the client to the peers, the migrations' thread, and the destination's attachments.
 *
 * <p>Why HTTPS/JSON on the JDK's own server rather than Karaf's HTTP service: the endpoint needs a
 * TLS configuration of its own (the pool's CA as the only trust anchor, client certificates
 * required, each refusal counted), which Pax Web sets only for the whole container, and the JDK's
 * server and client are maintained with the JDK and add no bundle to resolve.
 */
@Component(configurationPid = "org.headroom.migrate",
        service = {MigrationService.class, MigratingVolumes.class, HookedMigrations.class})
@Designate(ocd = MigrateConfig.class)
public class MigrateComponent implements MigrationService, MigratingVolumes, HookedMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(MigrateComponent.class);

    private final String host;
    private final ThreadScheduler thread;
    private final AgentClient client;
    private final AgentServer server;
    private final String broken;
    private final Migrations migrations;

    @Activate
    public MigrateComponent(@Reference QmpService qmp, @Reference(target = "(hypervisor.type=qmp)") Hypervisor qemu,
                            @Reference StorageDomains storage, MigrateConfig config) {
        // Checked before anything is started: a refused configuration leaves no thread behind.
        boolean legacy = switch (config.attach()) {
            case "early" -> false;
            case "legacy" -> true;
            default -> throw new IllegalArgumentException("attach must be early or legacy, not " + config.attach());
        };
        thread = ThreadScheduler.create("migrations", 1, 1_000,
                t -> LOG.error("live migration: a step failed unexpectedly; its migration is left to its timeout", t));
        Duration callTimeout = Duration.ofMillis(config.call__timeout__ms());
        PoolTls tls = null;
        String why = "";
        try {
            tls = PoolTls.load(Path.of(config.keystore()), Path.of(config.truststore()), password(Path.of(config.password__file())));
        } catch (RuntimeException e) {
            why = e.getMessage();
        }
        host = !config.host().isBlank() ? config.host() : tls != null ? tls.commonName() : localName();
        if (tls != null && !tls.commonName().equals(host)) {
            why = "this agent is " + host + " but its certificate names " + tls.commonName();
            tls = null;
        }
        Attachments attachments = new Attachments();
        client = tls == null ? null : new AgentClient(tls, peers(config.peers()), Duration.ofSeconds(5));
        Outgoing.Host source = new Outgoing.Host(qmp, storage, client, thread, callTimeout,
                Duration.ofMillis(config.activate__timeout__ms()), Duration.ofSeconds(config.migration__timeout__s()));
        Incoming.Host destination = new Incoming.Host(qmp, storage, attachments, Path.of(config.run__dir()), config.incoming(),
                callTimeout);
        migrations = new Migrations(qemu, storage, source, destination, legacy);
        AgentServer started = null;
        if (tls != null) {
            try {
                bound("sun.net.httpserver.maxReqTime", "30");
                bound("sun.net.httpserver.maxRspTime", "30");
                // Without it Nagle's algorithm holds a small reply for the peer's delayed ACK (40 ms):
                // an activate answered inside the downtime would wait for it.
                bound("sun.net.httpserver.nodelay", "true");
                started = new AgentServer(new InetSocketAddress(config.bind__address(), config.port()), tls, routes());
                LOG.info("agents' endpoint of {} listening on https://{}:{} (mutual TLS, the pool's CA); peers {}; attach {}",
                        host, config.bind__address(), started.address().getPort(), client.peers(), config.attach());
            } catch (IOException | RuntimeException e) {
                why = "cannot listen on " + config.bind__address() + ":" + config.port() + ": " + e.getMessage();
            }
        }
        server = started;
        broken = why;
        if (server == null) {
            LOG.warn("live migration is off on this host: {}", broken);
        }
    }

    private Map<String, AgentServer.Route> routes() {
        Map<String, AgentServer.Route> r = new LinkedHashMap<>();
        r.put("/v1/incoming", (caller, body) -> migrations.prepare(caller, AgentProtocol.prepare(body)));
        r.put("/v1/incoming/ready", (caller, body) -> migrations.ready(AgentProtocol.migration(body).migration()));
        r.put("/v1/incoming/activate", (caller, body) -> migrations.activate(AgentProtocol.migration(body).migration()));
        r.put("/v1/incoming/land", (caller, body) -> migrations.land(AgentProtocol.migration(body).migration()));
        r.put("/v1/incoming/abort", (caller, body) -> migrations.abort(AgentProtocol.abort(body)));
        r.put("/v1/volumes/refresh", (caller, body) -> migrations.refresh(AgentProtocol.refresh(body)));
        r.put("/v1/departures", (caller, body) -> migrations.libvirt().depart(caller, AgentProtocol.departure(body)));
        r.put("/v1/departures/ended", (caller, body) -> migrations.libvirt().departureFailed(caller, AgentProtocol.ended(body)));
        r.put("/v1/arrivals/ended", (caller, body) -> migrations.libvirt().arrived(caller, AgentProtocol.ended(body)));
        return r;
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
        }
        if (client != null) {
            client.close();
        }
        thread.close();
    }

    @Override
    public CompletionStage<MigrationStatus> migrate(String vm, String host, MigrationOptions options) {
        if (server == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("live migration is off on this host: " + broken));
        }
        return migrations.migrate(vm, host, options);
    }

    @Override
    public MigrationStatus cancel(String vm) {
        return migrations.cancel(vm);
    }

    @Override
    public List<MigrationStatus> migrations() {
        return migrations.snapshot();
    }

    @Override
    public AttachmentStatus attach(java.util.UUID volume) {
        return migrations.attach(volume);
    }

    @Override
    public void detach(java.util.UUID volume) {
        migrations.detach(volume);
    }

    @Override
    public List<AttachmentStatus> attachments() {
        return migrations.attachments();
    }

    @Override
    public EndpointStatus endpoint() {
        return Migrations.endpoint(host, server, broken);
    }

    @Override
    public CompletionStage<Void> refreshDestinations(VolumeRef volume, long size) {
        return migrations.refreshDestinations(volume, size);
    }

    @Override
    public void arriving(String vm, List<VolumeRef> volumes) {
        if (server == null && !volumes.isEmpty()) {
            throw new MigrationRefusedException("live migration is off on this host: " + broken);
        }
        migrations.libvirt().arriving(vm, volumes);
    }

    @Override
    public void released(String vm, List<VolumeRef> volumes) {
        migrations.libvirt().released(vm, volumes);
    }

    /** NAME=URL entries, each possibly a comma-separated list (as a .cfg file gives them); a malformed one fails the configuration. */
    static Map<String, URI> peers(String[] entries) {
        Map<String, URI> peers = new LinkedHashMap<>();
        for (String entry : entries) {
            for (String e : entry.split(",")) {
                if (e.isBlank()) {
                    continue;
                }
                int eq = e.indexOf('=');
                URI uri = eq <= 0 ? null : URI.create(e.substring(eq + 1).trim());
                if (uri == null || !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("peer " + e.trim() + " is not NAME=https://ADDRESS:PORT");
                }
                peers.put(e.substring(0, eq).trim(), uri);
            }
        }
        return peers;
    }

    private static char[] password(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip().toCharArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the stores' password from " + file + ": " + e.getMessage(), e);
        }
    }

    /** Sets one of the JDK server's settings (read once, when its first server starts), unless the admin set it. */
    private static void bound(String property, String seconds) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, seconds);
        }
    }

    private static String localName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
