package org.headroom.migrate.command;

import java.util.List;
import java.util.UUID;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.headroom.migrate.AttachmentStatus;
import org.headroom.migrate.MigrationService;

@Command(scope = "headroom", name = "attach",
        description = "Attaches volumes here ahead of an incoming migration: prints each run path to start the QEMU on")
@Service
public class AttachCommand implements Action {

    @Argument(index = 0, name = "volume", required = true, multiValued = true, description = "Volume UUIDs")
    List<String> volumes;

    @Reference(optional = true)
    MigrationService service;

    @Override
    public Object execute() {
        if (service == null) {
            System.out.println(NotRunning.MIGRATE);
            return null;
        }
        for (String v : volumes) {
            AttachmentStatus a = service.attach(UUID.fromString(v));
            System.out.println(a.volume() + " " + a.runPath());
        }
        return null;
    }
}
