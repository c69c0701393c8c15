package org.headroom.migrate.command;

import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.migrate.AttachmentStatus;
import org.headroom.migrate.EndpointStatus;
import org.headroom.migrate.MigrationService;
import org.headroom.migrate.MigrationStatus;

@Command(scope = "headroom", name = "migrations",
        description = "Live migrations of this host, both ways, with their timings; the agents' endpoint; attached volumes")
@Service
public class MigrationsCommand implements Action {

    @Reference(optional = true)
    MigrationService service;

    @Override
    public Object execute() {
        if (service == null) {
            System.out.println(NotRunning.MIGRATE);
            return null;
        }
        EndpointStatus e = service.endpoint();
        System.out.println("endpoint of " + e.host() + ": " + e.state() + (e.address().isEmpty() ? "" : " at " + e.address())
                + "; " + e.served() + " calls served, refused " + e.refusedNoCert() + " without a certificate and "
                + e.refusedUntrusted() + " with one not of the pool, " + e.badRequests() + " malformed, " + e.failures()
                + " failed");
        ShellTable table = new ShellTable();
        table.column("Migration");
        table.column("VM");
        table.column("Way");
        table.column("Peer");
        table.column("State");
        table.column("QEMU");
        table.column("Attach");
        table.column("Attach ms").alignRight();
        table.column("In downtime ms").alignRight();
        table.column("Downtime ms").alignRight();
        table.column("Error");
        for (MigrationStatus s : service.migrations()) {
            table.addRow().addContent(s.id(), s.vm(), s.direction(), s.peer(), s.state(), s.qemuStatus(), s.attach(),
                    ms(s.attachMillis()), ms(s.activateMillis()), ms(s.downtimeMillis()), s.error());
        }
        table.print(System.out);
        for (AttachmentStatus a : service.attachments()) {
            System.out.println("attached " + a.ref() + " at " + a.runPath() + " for " + a.migration() + ": " + a.state());
        }
        return null;
    }

    static String line(MigrationStatus s) {
        return s.vm() + " " + s.direction() + " " + s.peer() + ": " + s.state() + " (attach " + s.attach() + " "
                + ms(s.attachMillis()) + " ms, storage work in the downtime " + ms(s.activateMillis()) + " ms (there "
                + ms(s.destinationMillis()) + " ms), downtime "
                + ms(s.downtimeMillis()) + " ms, QEMU's " + (s.qemuDowntimeMillis() < 0 ? "-" : s.qemuDowntimeMillis()) + " ms)"
                + (s.error().isEmpty() ? "" : ": " + s.error());
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
