package org.headroom.thinextend.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.headroom.storage.DomainSet;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.qmp.internal.QemuHypervisor;
import org.headroom.qmp.internal.QemuVmConnection;
import org.headroom.runtime.ThreadScheduler;
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
    private final ThreadScheduler monitorThread = ThreadScheduler.create("volume-monitor", 1, 10_000);
    private final ThreadScheduler blocking = ThreadScheduler.create("volume-refresh", 2, 1_000);
    private final List<AutoCloseable> attached = new ArrayList<>();

    Agent(StorageDomain domain, ExtendService extender, ExtensionPolicy policy) {
        this(domain, extender, policy, Path.of("/run/headroom/storage"));
    }

    /** With the run paths of prepared volumes under {@code runDirectory}. */
    Agent(StorageDomain domain, ExtendService extender, ExtensionPolicy policy, Path runDirectory) {
        storage = DomainSet.of(runDirectory, domain);
        monitor = new VolumeMonitor(policy, extender, storage, Duration.ofSeconds(2), monitorThread, blocking);
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
        monitorThread.close();
        blocking.close();
    }
}
