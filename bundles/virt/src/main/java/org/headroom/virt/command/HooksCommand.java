package org.headroom.virt.command;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.virt.internal.HookComponent;
import org.headroom.virt.internal.HookStats;
import org.headroom.virt.internal.LibvirtHypervisor;

@Command(scope = "headroom", name = "hooks", description = "Shows the qemu hook calls the agent received: counts and the latest calls")
@Service
public class HooksCommand implements Action {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Reference
    HookComponent hooks;

    @Reference(optional = true)
    LibvirtHypervisor libvirt;

    @Override
    public Object execute() {
        HookStats stats = hooks.stats();
        System.out.println(libvirt == null ? "libvirt: not served (no etc/org.headroom.virt.cfg)"
                : "libvirt: " + (libvirt.connected() ? "connected" : "NOT connected") + ", " + libvirt.vms().size()
                        + " VMs, " + libvirt.reconnects() + " reconnects, " + libvirt.eventsIgnored() + " threshold events ignored");
        System.out.println("socket " + hooks.socket() + ": " + stats.errors() + " refused, "
                + stats.malformed() + " malformed");
        for (Map.Entry<String, Long> e : new java.util.TreeMap<>(stats.perOperation()).entrySet()) {
            System.out.println("  " + e.getKey() + ": " + e.getValue());
        }
        ShellTable table = new ShellTable();
        for (String c : new String[] {"Time", "VM", "Operation", "Exit", "Took", "Message"}) {
            table.column(c);
        }
        for (HookStats.Call call : stats.recent()) {
            table.addRow().addContent(TIME.format(call.at()), call.vm(), call.op(), call.exit(),
                    String.format(java.util.Locale.ROOT, "%.1f ms", call.micros() / 1000.0), call.message());
        }
        table.print(System.out);
        return null;
    }
}
