package org.headroom.lease.command;

import java.util.Optional;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.api.jobs.JobStatus;
import org.headroom.api.jobs.StorageJobs;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeRef;

@Command(scope = "headroom", name = "jobs",
        description = "The last storage job of every volume of the connected domains, as storage tells it (any host's)")
@Service
public class JobsCommand implements Action {

    @Reference(optional = true)
    StorageJobs jobs;

    @Reference
    StorageDomains storage;

    @Override
    public Object execute() {
        if (jobs == null) {
            System.out.println(NotRunning.LEASES);
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Volume");
        table.column("Job");
        table.column("Type");
        table.column("State");
        table.column("Host").alignRight();
        table.column("Gen").alignRight();
        table.column("Stage");
        table.column("%").alignRight();
        table.column("Error");
        for (StorageDomain d : storage.domains()) {
            for (VolumeRef v : d.listVolumes()) {
                Optional<JobStatus> last;
                try {
                    last = jobs.latest(v);
                } catch (StorageException | org.headroom.api.jobs.JobException e) {
                    table.addRow().addContent(v.volume(), "?", "", "UNREADABLE", "", "", "", "", e.getMessage());
                    continue;
                }
                last.ifPresent(s -> table.addRow().addContent(v.volume(), s.job(), s.type(), s.state(), s.hostId(),
                        s.generation(), s.stage(), s.percent() < 0 ? "" : s.percent(), s.error()));
            }
        }
        table.print(System.out);
        return null;
    }
}
