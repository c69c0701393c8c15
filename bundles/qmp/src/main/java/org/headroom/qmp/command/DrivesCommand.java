package org.headroom.qmp.command;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.Hypervisor;

@Command(scope = "headroom", name = "drives", description = "Shows a VM's writable drives: sizes, allocation, armed threshold")
@Service
public class DrivesCommand implements Action {

    @Argument(index = 0, name = "vm", description = "The VM's name", required = true)
    @Completion(VmNameCompleter.class)
    String vm;

    @Reference(optional = true)
    List<Hypervisor> hypervisors;

    @Override
    public Object execute() throws Exception {
        Hypervisor hypervisor = Hypervisors.serving(hypervisors, vm);
        List<DriveInfo> drives = hypervisor.drives(vm).toCompletableFuture().get(30, TimeUnit.SECONDS);
        ShellTable table = new ShellTable();
        for (String c : List.of("Drive", "Format", "Node", "Path", "Capacity", "Physical", "Allocation", "Threshold", "IO")) {
            table.column(c);
        }
        for (DriveInfo d : drives) {
            table.addRow().addContent(d.ref().drive(), d.format(), d.nodeName(), d.path(),
                    Hypervisors.mib(d.capacity()), Hypervisors.mib(d.physical()), Hypervisors.mib(d.allocation()),
                    d.threshold() == 0 ? "-" : Hypervisors.mib(d.threshold()), d.ioStatus());
        }
        table.print(System.out);
        return null;
    }
}
