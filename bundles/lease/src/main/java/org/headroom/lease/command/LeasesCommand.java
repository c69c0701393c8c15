package org.headroom.lease.command;

import java.util.UUID;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.api.lease.HostStatus;
import org.headroom.api.lease.LeaseRef;
import org.headroom.api.lease.LeaseService;
import org.headroom.api.lease.LockspaceStatus;

@Command(scope = "headroom", name = "leases",
        description = "This host's lockspaces (one per connected domain), the hosts in them and their states, and the leases it holds")
@Service
public class LeasesCommand implements Action {

    @Reference(optional = true)
    LeaseService leases;

    @Override
    public Object execute() {
        if (leases == null) {
            System.out.println(NotRunning.LEASES);
            return null;
        }
        for (UUID domain : leases.domains()) {
            LockspaceStatus ls = leases.lockspace(domain);
            System.out.println("Lockspace " + domain + ": " + ls.state() + " as host " + ls.hostId()
                    + (ls.problem().isEmpty() ? "" : " (" + ls.problem() + ")"));
            ShellTable hosts = new ShellTable();
            hosts.column("Host").alignRight();
            hosts.column("State");
            hosts.column("Generation").alignRight();
            hosts.column("Renewed").alignRight();
            for (HostStatus h : ls.hosts()) {
                hosts.addRow().addContent(h.hostId(), h.state(), h.generation(), h.timestamp());
            }
            hosts.print(System.out);
        }
        ShellTable held = new ShellTable();
        held.column("Lease held");
        held.column("Domain");
        held.column("Area");
        for (LeaseRef r : leases.held()) {
            held.addRow().addContent(r.name(), r.domain(), r.path() + ":" + r.offset());
        }
        held.print(System.out);
        return null;
    }
}
