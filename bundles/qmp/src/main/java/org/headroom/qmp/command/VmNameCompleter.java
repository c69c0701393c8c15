package org.headroom.qmp.command;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.VmInfo;

/** Completes VM names known to any hypervisor. */
@Service
public class VmNameCompleter implements Completer {

    @Reference(optional = true)
    List<Hypervisor> hypervisors;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        if (hypervisors != null) {
            for (Hypervisor h : hypervisors) {
                for (VmInfo vm : h.vms()) {
                    names.getStrings().add(vm.name());
                }
            }
        }
        return names.complete(session, commandLine, candidates);
    }
}
