package org.headroom.qmp.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.qmp.Qmp;

/** A QEMU process attached over QMP: one per factory configuration of {@code org.headroom.qmp.vm}. */
public interface QemuVm {

    String name();

    VmInfo info();

    Qmp qmp();

    CompletableFuture<List<DriveInfo>> drives();

    /** The node a drive's threshold is armed on, as last read (no QMP round trip). */
    java.util.Optional<String> armedNode(String drive);

    /** Where this VM's drive events go; set by the hypervisor that binds it, null to stop. */
    void eventSink(DriveEventListener sink);
}
