package org.headroom.mailbox.command;

import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.mailbox.MailboxCounters;
import org.headroom.mailbox.MailboxService;
import org.headroom.mailbox.MailboxStatus;

@Command(scope = "headroom", name = "mailbox", description = "Shows the SPM mailbox: requests, replies, failures, rejects, I/O, latency")
@Service
public class MailboxCommand implements Action {

    @Reference(optional = true)
    MailboxService mailbox;

    @Override
    public Object execute() {
        if (mailbox == null) {
            System.out.println("The mailbox is not running. It starts with etc/org.headroom.mailbox.cfg: domain (a connected storage domain's "
                    + "UUID, see headroom:domains) and host_id; the distribution ships one.");
            return null;
        }
        MailboxStatus s = mailbox.status();
        System.out.println("domain " + s.domain() + ", policy " + s.policy() + ", host id " + s.hostId()
                + (s.spm() ? ", SPM of hosts 1.." + s.maxHostId() : "") + "; " + s.health());
        ShellTable table = new ShellTable();
        for (String c : new String[] {"Side", "Requests", "Replies", "Failures", "Timeouts", "Duplicates", "Resends",
                "Rejected blocks", "Rejected messages", "Scans", "Events", "Errors", "p50 ms", "p99 ms"}) {
            table.column(c);
        }
        row(table, "host", s.host());
        if (s.spm()) {
            row(table, "spm", s.spmSide());
            row(table, "spm (in-process)", s.inProcess());
        }
        table.print(System.out);
        if (s.spm()) {
            System.out.printf(Locale.ROOT, "SPM inbox reads: %.1f KiB/s (%d bytes since start)%n",
                    s.spmBytesReadPerSecond() / 1024, s.spmBytesRead());
        }
        return null;
    }

    private static void row(ShellTable table, String side, MailboxCounters c) {
        table.addRow().addContent(side, c.requests(), c.replies(), c.failures(), c.timeouts(), c.duplicates(), c.resends(),
                c.rejectedBlocks(), c.rejectedMessages(), c.scans(), c.events(), c.errors(),
                String.format(Locale.ROOT, "%.2f", c.latencyP50Micros() / 1000.0),
                String.format(Locale.ROOT, "%.2f", c.latencyP99Micros() / 1000.0));
    }
}
