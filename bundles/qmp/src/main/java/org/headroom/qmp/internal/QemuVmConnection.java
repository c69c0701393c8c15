package org.headroom.qmp.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.headroom.qmp.Qmp;
import org.headroom.qmp.QmpClient;
import org.headroom.qmp.QmpEvent;
import org.headroom.qmp.QmpEventListener;
import org.headroom.qmp.QmpEvents;
import org.headroom.qmp.QmpThreads;
import org.headroom.qmp.events.BlockIoError;
import org.headroom.qmp.events.BlockWriteThreshold;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches to one QEMU process and turns its QMP events into {@link DriveEvent}s. The connection is
 * made in the background and remade whenever QEMU's socket comes back; after a reconnect, events
 * may have been missed, which is reported as {@link DriveEvent.EventsLost}. In Karaf every VM's client
 * runs on the bundle's one timer and dispatcher ({@link QmpThreads}).
 */
@Component(configurationPid = "org.headroom.qmp.vm", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = QemuVm.class)
@Designate(ocd = QemuVmConfig.class, factory = true)
public class QemuVmConnection implements QemuVm, QmpEventListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QemuVmConnection.class);
    /** QEMU restarted: its socket is usually back within this. */
    private static final Duration FIRST_RECONNECT = Duration.ofMillis(50);

    /** The threads shared by all VMs; when absent (outside OSGi, by {@link #attach}) the client makes its own. */
    @Reference
    QmpThreads threads;

    private String name;
    private QmpClient client;
    private Qmp qmp;
    private volatile DriveEventListener sink;
    private volatile Map<String, DriveRef> nodes = Map.of();
    /** Drive name → the node its threshold is armed on, as last read. */
    private volatile Map<String, String> armedNodes = Map.of();
    private volatile VmState state = VmState.UNREACHABLE;
    private volatile String reason = "";
    private volatile boolean connectedBefore;
    /** A BLOCK_IO_ERROR with nospace came since the last RESUME: a STOP now is a pause for ENOSPC. */
    private volatile boolean nospaceSinceResume;

    @Activate
    void activate(QemuVmConfig config) {
        if (config.name() == null || config.name().isBlank() || config.socket() == null || config.socket().isBlank()) {
            throw new IllegalArgumentException("org.headroom.qmp.vm needs a name and a socket: name="
                    + config.name() + " socket=" + config.socket());
        }
        start(config.name(), Path.of(config.socket()), Duration.ofMillis(config.command__timeout__ms()),
                Duration.ofMillis(config.reconnect__max__delay__ms()));
    }

    /** Attaches outside OSGi (end-to-end tests, tools): the same as a factory configuration would. */
    public static QemuVmConnection attach(String name, Path socket, Duration commandTimeout, Duration reconnectMax) {
        QemuVmConnection vm = new QemuVmConnection();
        vm.start(name, socket, commandTimeout, reconnectMax);
        return vm;
    }

    private void start(String vmName, Path socket, Duration commandTimeout, Duration reconnectMax) {
        name = vmName;
        QmpClient.Builder builder = QmpClient.builder(socket)
                .name(name)
                .commandTimeout(commandTimeout)
                .reconnect(FIRST_RECONNECT.compareTo(reconnectMax) < 0 ? FIRST_RECONNECT : reconnectMax, reconnectMax);
        if (threads != null) {
            builder.timer(threads.timer()).dispatcher(threads.dispatcher());
        }
        client = builder.build();
        qmp = new Qmp(client);
        client.subscribe(this);
        client.connectInBackground();
        LOG.info("attaching to VM {} over QMP at {}", name, socket);
    }

    @Deactivate
    @Override
    public void close() {
        client.close();
        LOG.info("detached from VM {}", name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public VmInfo info() {
        VmState s = client.state() == QmpClient.State.CONNECTED ? state : VmState.UNREACHABLE;
        return new VmInfo(name, QemuHypervisor.TYPE, s, s == VmState.UNREACHABLE ? client.state().name().toLowerCase() : reason);
    }

    @Override
    public Qmp qmp() {
        return qmp;
    }

    @Override
    public CompletableFuture<List<DriveInfo>> drives() {
        var devices = qmp.queryBlock();
        var stats = qmp.queryBlockstats();
        var named = qmp.queryNamedBlockNodes(true);
        return CompletableFuture.allOf(devices, stats, named).thenApply(ignored -> {
            List<DriveInfo> drives = QemuDrives.read(name, devices.join(), stats.join(), named.join()).stream()
                    .map(d -> new DriveInfo(d.ref(), d.format(), d.path(), d.nodeName(), d.capacity(),
                            VolumeSize.of(d.path(), d.physical()), d.allocation(), d.threshold(), d.ioStatus()))
                    .toList();
            nodes = QemuDrives.nodeIndex(drives, devices.join(), name);
            armedNodes = drives.stream().collect(java.util.stream.Collectors.toMap(d -> d.ref().drive(), DriveInfo::nodeName));
            return drives;
        });
    }

    @Override
    public java.util.Optional<String> armedNode(String drive) {
        return java.util.Optional.ofNullable(armedNodes.get(drive));
    }

    @Override
    public void eventSink(DriveEventListener sink) {
        this.sink = sink;
    }

    @Override
    public void onEvent(QmpEvent event) {
        switch (event.name()) {
            case QmpEvents.BLOCK_WRITE_THRESHOLD -> {
                BlockWriteThreshold e = event.as(BlockWriteThreshold.class);
                withDrive(e.nodeName(), ref -> new DriveEvent.ThresholdCrossed(ref, e.writeThreshold(), e.amountExceeded()));
            }
            case QmpEvents.BLOCK_IO_ERROR -> {
                BlockIoError e = event.as(BlockIoError.class);
                if (e.nospace()) {
                    nospaceSinceResume = true;
                    withDrive(e.nodeName(), DriveEvent.OutOfSpace::new);
                }
            }
            case QmpEvents.STOP -> {
                // QEMU sends BLOCK_IO_ERROR before the STOP it causes; query-status confirms later.
                state = VmState.PAUSED;
                reason = nospaceSinceResume ? "io-error" : "";
                emit(new DriveEvent.Paused(name, reason));
                readStatus(0);
            }
            case QmpEvents.RESUME -> {
                state = VmState.RUNNING;
                reason = "";
                nospaceSinceResume = false;
                emit(new DriveEvent.Resumed(name));
            }
            case QmpEvents.SHUTDOWN -> state = VmState.SHUTOFF;
            default -> {
                // Not a drive event.
            }
        }
    }

    @Override
    public void onEventsDropped(long count) {
        emit(new DriveEvent.EventsLost(name, count + " QMP events dropped"));
    }

    @Override
    public void onConnectionState(QmpClient.State newState) {
        if (newState != QmpClient.State.CONNECTED) {
            return;
        }
        readStatus(0);
        drives().exceptionally(e -> {
            LOG.warn("VM {}: cannot read drives after connecting: {}", name, e.getMessage());
            return List.of();
        });
        if (connectedBefore) {
            emit(new DriveEvent.EventsLost(name, "QMP reconnected"));
        }
        connectedBefore = true;
    }

    /** Reads the run state; retried a few times, so that a slow reply cannot leave the state unknown. */
    private void readStatus(int attempt) {
        qmp.queryStatus().whenComplete((s, error) -> {
            if (error == null) {
                state = s.running() ? VmState.RUNNING : VmState.PAUSED;
                reason = s.running() ? "" : s.status();
            } else if (attempt < 3 && client.state() == QmpClient.State.CONNECTED) {
                LOG.debug("VM {}: query-status failed, retrying: {}", name, error.getMessage());
                readStatus(attempt + 1);
            } else {
                LOG.warn("VM {}: cannot read its run state: {}", name, error.getMessage());
            }
        });
    }

    private void withDrive(String node, java.util.function.Function<DriveRef, DriveEvent> event) {
        DriveRef ref = nodes.get(node);
        if (ref != null) {
            emit(event.apply(ref));
            return;
        }
        // A node we have not seen yet (hot-plugged, or the event came before our first query).
        drives().thenRun(() -> {
            DriveRef found = nodes.get(node);
            if (found != null) {
                emit(event.apply(found));
            } else {
                LOG.warn("VM {}: event for unknown block node {}", name, node);
            }
        });
    }

    private void emit(DriveEvent event) {
        // Rare and worth a line each: thresholds crossed, ENOSPC, pauses and resumes.
        LOG.info("VM {}: {}", name, event);
        DriveEventListener s = sink;
        if (s != null) {
            try {
                s.onEvent(event);
            } catch (RuntimeException e) {
                LOG.error("VM {}: drive event listener failed on {}", name, event, e);
            }
        }
    }
}
