package org.headroom.mailbox.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.mailbox.internal.MailboxService;
import org.headroom.mailbox.internal.MailboxStats;

@Command(scope = "headroom", name = "mailbox", description = "Shows the SPM mailbox: requests, replies, failures, rejects, I/O, latency")
@Service
public class MailboxCommand implements Action {

    @Reference
    MailboxService mailbox;

    @Override
    public Object execute() {
        System.out.println("policy: " + mailbox.policy().name() + ", host id " + mailbox.host().hostId()
                + (mailbox.spm().isPresent() ? ", SPM of hosts 1.." + mailbox.spm().get().maxHostId() : ""));
        ShellTable table = new ShellTable();
        for (String c : new String[] {"Side", "Requests", "Replies", "Failures", "Timeouts", "Rejected blocks",
                "Rejected messages", "Scans", "Events", "p50 ms", "p99 ms"}) {
            table.column(c);
        }
        row(table, "host", mailbox.host().stats());
        mailbox.spm().ifPresent(spm -> row(table, "spm", spm.stats()));
        if (mailbox.spm().isPresent()) {
            row(table, "spm (in-process)", mailbox.local());
        }
        table.print(System.out);
        mailbox.spm().ifPresent(spm -> System.out.printf("SPM inbox reads: %.1f KiB/s (%d bytes since start)%n",
                spm.bytesReadPerSecond() / 1024, spm.bytesRead()));
        return null;
    }

    private static void row(ShellTable table, String side, MailboxStats s) {
        table.addRow().addContent(side, s.requests.sum(), s.replies.sum(), s.failures.sum(), s.timeouts.sum(),
                s.rejectedBlocks.sum(), s.rejectedMessages.sum(), s.scans.sum(), s.events.sum(),
                String.format("%.2f", s.latency.percentileMicros(50) / 1000.0),
                String.format("%.2f", s.latency.percentileMicros(99) / 1000.0));
    }
}
