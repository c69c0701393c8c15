package org.headroom.migrate.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.headroom.migrate.MigrationService;

@Command(scope = "headroom", name = "migrate-cancel",
        description = "Cancels a VM's migration away from this host, in whatever state; the VM runs on here")
@Service
public class MigrateCancelCommand implements Action {

    @Argument(index = 0, name = "vm", required = true, description = "The migrating VM's name on this host")
    String vm;

    @Reference(optional = true)
    MigrationService service;

    @Override
    public Object execute() {
        if (service == null) {
            System.out.println(NotRunning.MIGRATE);
            return null;
        }
        System.out.println("cancelling: " + MigrationsCommand.line(service.cancel(vm)));
        return null;
    }
}
