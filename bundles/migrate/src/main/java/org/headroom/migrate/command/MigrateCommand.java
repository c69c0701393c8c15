package org.headroom.migrate.command;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.headroom.migrate.MigrationOptions;
import org.headroom.migrate.MigrationService;
import org.headroom.migrate.MigrationStatus;

@Command(scope = "headroom", name = "migrate",
        description = "Migrates a VM live to another host of the pool, its volumes attached there before the downtime")
@Service
public class MigrateCommand implements Action {

    @Argument(index = 0, name = "vm", required = true, description = "The VM's name on this host")
    String vm;

    @Argument(index = 1, name = "host", required = true, description = "The destination: a peer's name in the pool")
    String host;

    @Option(name = "--attach", description = "early or legacy for this migration (default: etc/org.headroom.migrate.cfg's)")
    String attach;

    @Option(name = "--as", description = "The VM's name on the destination, when it is not the same")
    String nameThere;

    @Option(name = "--bandwidth", description = "Migration bandwidth in MiB/s (default: QEMU's, 128)")
    int bandwidth;

    @Option(name = "--no-wait", description = "Return once started; follow it with headroom:migrations")
    boolean noWait;

    @Reference(optional = true)
    MigrationService service;

    @Override
    public Object execute() throws Exception {
        if (service == null) {
            System.out.println(NotRunning.MIGRATE);
            return null;
        }
        var result = service.migrate(vm, host, new MigrationOptions(attach, nameThere, bandwidth)).toCompletableFuture();
        if (noWait) {
            System.out.println("migrating " + vm + " to " + host + ": see headroom:migrations");
            return null;
        }
        MigrationStatus s = result.get(1, TimeUnit.HOURS);
        System.out.println(MigrationsCommand.line(s));
        return null;
    }
}
