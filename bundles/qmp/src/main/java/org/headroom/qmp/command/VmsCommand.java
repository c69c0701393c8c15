package org.headroom.qmp.command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.UnknownVmException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;

@Command(scope = "headroom", name = "vms", description = "Lists the VMs Headroom watches, of every hypervisor, with their drives")
@Service
public class VmsCommand implements Action {

    @Reference(optional = true)
    List<Hypervisor> hypervisors;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("VM");
        table.column("Hypervisor");
        table.column("State");
        table.column("Reason");
        table.column("Drives (physical/capacity)");
        if (hypervisors != null) {
            // Read every VM's drives at once: one slow VM must not make the listing wait for each in turn.
            List<Row> rows = new ArrayList<>();
            for (Hypervisor h : hypervisors) {
                for (VmInfo vm : h.vms()) {
                    CompletableFuture<List<DriveInfo>> drives = vm.state() == VmState.RUNNING || vm.state() == VmState.PAUSED
                            ? h.drives(vm.name()).toCompletableFuture() : CompletableFuture.completedFuture(List.of());
                    rows.add(new Row(h, vm, drives));
                }
            }
            for (Row row : rows) {
                VmInfo listed = row.vm();
                VmInfo vm = listed;
                String drives = drives(row.drives());
                if (row.drives().isCompletedExceptionally()) {
                    // A VM whose drives cannot be read may have stopped since it was listed: say how it is now,
                    // never "running" beside drives nobody can read.
                    VmInfo gone = new VmInfo(listed.name(), listed.hypervisor(), VmState.SHUTOFF, "gone");
                    VmInfo now = unknown(row.drives()) ? gone : row.hypervisor().vms().stream()
                            .filter(v -> v.name().equals(listed.name())).findFirst().orElse(gone);
                    if (now.state() != VmState.RUNNING && now.state() != VmState.PAUSED) {
                        table.addRow().addContent(now.name(), now.hypervisor(), now.state().name().toLowerCase(), now.reason(), "");
                        continue;
                    }
                    vm = now;
                }
                table.addRow().addContent(vm.name(), vm.hypervisor(), vm.state().name().toLowerCase(), vm.reason(), drives);
            }
        }
        table.print(System.out);
        return null;
    }

    private record Row(Hypervisor hypervisor, VmInfo vm, CompletableFuture<List<DriveInfo>> drives) {
    }

    /** Whether reading the drives failed because the hypervisor knows the VM no more. */
    private static boolean unknown(CompletableFuture<List<DriveInfo>> future) {
        return future.handle((ok, e) -> {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof UnknownVmException) {
                    return true;
                }
            }
            return false;
        }).join();
    }

    private static String drives(CompletableFuture<List<DriveInfo>> future) {
        try {
            List<String> parts = new ArrayList<>();
            for (DriveInfo d : future.get(10, TimeUnit.SECONDS)) {
                parts.add(d.ref().drive() + " " + d.format() + " " + Hypervisors.mib(d.physical()) + "/"
                        + Hypervisors.mib(d.capacity()));
            }
            return String.join(", ", parts);
        } catch (Exception e) {
            return "(unreadable: " + (e.getCause() != null ? e.getCause().getMessage() : e.toString()) + ")";
        }
    }
}
