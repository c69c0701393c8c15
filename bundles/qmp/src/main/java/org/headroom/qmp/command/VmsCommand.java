package org.headroom.qmp.command;

import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.VmInfo;

@Command(scope = "headroom", name = "vms", description = "Lists the VMs Headroom watches, of every hypervisor")
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
        if (hypervisors != null) {
            for (Hypervisor h : hypervisors) {
                for (VmInfo vm : h.vms()) {
                    table.addRow().addContent(vm.name(), vm.hypervisor(), vm.state().name().toLowerCase(), vm.reason());
                }
            }
        }
        table.print(System.out);
        return null;
    }
}
