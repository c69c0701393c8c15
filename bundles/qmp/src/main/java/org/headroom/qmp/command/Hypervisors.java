package org.headroom.qmp.command;

import java.util.List;
import java.util.Locale;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.VmInfo;

/** What the shell commands share: finding the hypervisor of a VM, printing sizes. */
final class Hypervisors {
    private Hypervisors() {
    }

    static Hypervisor serving(List<Hypervisor> hypervisors, String vm) {
        if (hypervisors != null) {
            for (Hypervisor h : hypervisors) {
                for (VmInfo info : h.vms()) {
                    if (info.name().equals(vm)) {
                        return h;
                    }
                }
            }
        }
        throw new HypervisorException("no hypervisor knows a VM named " + vm);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
