package org.headroom.thinextend.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.storage.StorageDomains;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/** Wires the volume monitor to the hypervisors, the extend service and the storage domains. */
@Component(configurationPid = "org.headroom.thinextend", service = VolumeMonitorService.class)
@Designate(ocd = ThinExtendConfig.class)
public class VolumeMonitorComponent implements VolumeMonitorService {

    private final ExtendService extender;
    private final StorageDomains storage;
    private final VolumeMonitor monitor;
    private final ScheduledExecutorService monitorThread;
    private final ExecutorService blockingPool;
    private final String policyName;

    @Activate
    public VolumeMonitorComponent(@Reference ExtendService extender, @Reference StorageDomains storage,
                                  ThinExtendConfig config) {
        this.extender = extender;
        this.storage = storage;
        ExtensionPolicy policy = Policies.from(config);
        this.policyName = policy.name();
        monitorThread = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "volume-monitor"));
        AtomicInteger n = new AtomicInteger();
        blockingPool = Executors.newFixedThreadPool(4, r -> thread(r, "volume-refresh-" + n.incrementAndGet()));
        monitor = new VolumeMonitor(policy, new DriveMonitor.Settings(
                TimeUnit.MILLISECONDS.toNanos(config.extend__timeout__ms()), config.max__attempts()),
                extender, storage, TimeUnit.MILLISECONDS.toNanos(config.check__interval__ms()), monitorThread,
                blockingPool, System::nanoTime);
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

    @Deactivate
    void deactivate() {
        monitor.close();
        monitorThread.shutdownNow();
        blockingPool.shutdownNow();
    }

    @Override
    public VolumeMonitor monitor() {
        return monitor;
    }

    @Override
    public String policyName() {
        return policyName;
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
