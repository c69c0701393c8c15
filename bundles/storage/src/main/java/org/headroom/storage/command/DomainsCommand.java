package org.headroom.storage.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.StorageException;

@Command(scope = "headroom", name = "domains", description = "Lists the storage domains this host is connected to")
@Service
public class DomainsCommand implements Action {

    @Reference
    StorageDomains storage;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Domain");
        table.column("Path");
        table.column("Backend");
        table.column("Volumes").alignRight();
        for (StorageDomain d : storage.domains()) {
            table.addRow().addContent(d.uuid(), d.path(), d.volumes().type(), volumes(d));
        }
        table.print(System.out);
        return null;
    }

    /** A domain whose volumes cannot be listed (e.g. an lvm command failing) still gets its row. */
    private static String volumes(StorageDomain d) {
        try {
            return Integer.toString(d.listVolumes().size());
        } catch (StorageException e) {
            return "? (" + e.getMessage() + ")";
        }
    }
}
