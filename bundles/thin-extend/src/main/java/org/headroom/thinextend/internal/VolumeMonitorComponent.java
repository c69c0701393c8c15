package org.headroom.thinextend.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.migration.MigratingVolumes;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.storage.StorageDomains;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.thinextend.ExtensionRecord;
import org.headroom.thinextend.MonitorStatus;
import org.headroom.thinextend.VolumeMonitorService;
import org.headroom.thinextend.VolumeStatus;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Wires the volume monitor to the hypervisors, the extend service and the storage domains, on two
 * bounded schedulers: the monitor's own thread (all state changes) and a small pool for refreshes.
 */
@Component(configurationPid = "org.headroom.thinextend", service = VolumeMonitorService.class)
@Designate(ocd = ThinExtendConfig.class)
public class VolumeMonitorComponent implements VolumeMonitorService {
    /** Events, replies and checks waiting for the monitor's thread; a full queue refuses, the next check catches up. */
    private static final int MONITOR_QUEUE = 10_000;
    /** Refreshes waiting for a thread; a refused one fails its extension, which is asked again. */
    private static final int REFRESH_QUEUE = 1_000;

    private final VolumeMonitor monitor;
    private final ThreadScheduler monitorThread;
    private final ThreadScheduler refreshPool;

    @Activate
    public VolumeMonitorComponent(@Reference ExtendService extender, @Reference StorageDomains storage,
                                  ThinExtendConfig config, BundleContext context) {
        ExtensionPolicy policy = Policies.from(config);
        VolumeMonitor[] self = new VolumeMonitor[1];
        monitorThread = ThreadScheduler.create("volume-monitor", 1, MONITOR_QUEUE, t -> self[0].broken(t));
        refreshPool = ThreadScheduler.create("volume-refresh", 4, REFRESH_QUEUE);
        // The bundle's own data area: kept across restarts and updates of the bundle, host-local.
        java.io.File data = context.getDataFile("volume-history.tsv");
        monitor = new VolumeMonitor(policy, extender, storage, Duration.ofMillis(config.check__interval__ms()),
                monitorThread, refreshPool, data == null ? null : data.toPath());
        self[0] = monitor;
        monitor.start();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindHypervisor(Hypervisor hypervisor) {
        // Bound before activation too: the monitor exists once the constructor has run.
        monitor.addHypervisor(hypervisor);
    }

    void unbindHypervisor(Hypervisor hypervisor) {
        monitor.removeHypervisor(hypervisor);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindMigratingVolumes(MigratingVolumes volumes) {
        monitor.migratingVolumes(volumes);
    }

    void unbindMigratingVolumes(MigratingVolumes volumes) {
        monitor.migratingVolumes(null);
    }

    @Deactivate
    void deactivate() {
        monitor.close();
        try {
            monitor.stopped().get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // A monitor thread that does not finish in time is stopped below all the same.
        }
        monitorThread.close();
        refreshPool.close();
    }

    @Override
    public CompletionStage<List<VolumeStatus>> volumes(boolean all) {
        return monitor.volumes(all);
    }

    @Override
    public MonitorStatus status() {
        return monitor.status();
    }

    @Override
    public CompletionStage<Long> extend(DriveRef drive, long size) {
        return monitor.extend(drive, size);
    }

    @Override
    public AutoCloseable onExtension(Consumer<ExtensionRecord> listener) {
        return monitor.onExtension(listener);
    }
}
