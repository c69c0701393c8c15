package org.headroom.thinextend.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.qmp.internal.QemuHypervisor;
import org.headroom.qmp.internal.QemuVmConnection;
import org.headroom.thinextend.internal.DriveMonitor;
import org.headroom.thinextend.internal.ExtensionPolicy;
import org.headroom.thinextend.internal.VolumeMonitor;

/**
 * One host's agent wired by hand, the way the bundles' components wire it in Karaf: the QEMU
 * hypervisor adapter, a storage domain, an extend service, and the volume monitor. Other
 * hypervisors (libvirt) are added to {@link #monitor} by the test.
 */
final class Agent implements AutoCloseable {
    final QemuHypervisor hypervisor = new QemuHypervisor();
    final StorageDomains storage;
    final VolumeMonitor monitor;
    private final ScheduledExecutorService monitorThread = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService blocking = Executors.newFixedThreadPool(2);
    private final List<AutoCloseable> attached = new ArrayList<>();

    Agent(StorageDomain domain, ExtendService extender, ExtensionPolicy policy) {
        this(domain, extender, policy, Path.of("/run/headroom/storage"));
    }

    /** With the run paths of prepared volumes under {@code runDirectory}. */
    Agent(StorageDomain domain, ExtendService extender, ExtensionPolicy policy, Path runDirectory) {
        storage = StorageDomains.of(runDirectory, domain);
        monitor = new VolumeMonitor(policy, new DriveMonitor.Settings(TimeUnit.SECONDS.toNanos(2), 5), extender, storage,
                TimeUnit.SECONDS.toNanos(2), monitorThread, blocking, System::nanoTime);
        monitor.start();
        monitor.addHypervisor(hypervisor);
    }

    void attach(String vm, Path qmpSocket) {
        QemuVmConnection connection = QemuVmConnection.attach(vm, qmpSocket, Duration.ofSeconds(10), Duration.ofMillis(500));
        hypervisor.bindVm(connection);
        attached.add(connection);
    }

    AutoCloseable listen(DriveEventListener listener) {
        return hypervisor.subscribe(listener);
    }

    @Override
    public void close() throws Exception {
        monitor.close();
        for (AutoCloseable a : attached) {
            a.close();
        }
        monitorThread.shutdownNow();
        blocking.shutdownNow();
    }
}
