package org.headroom.virt.command;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.virt.HookCall;
import org.headroom.virt.HookStatus;
import org.headroom.virt.LibvirtStatus;
import org.headroom.virt.VirtService;

@Command(scope = "headroom", name = "hooks", description = "Shows the libvirt connection and the qemu hook calls the agent received: counts and the latest calls")
@Service
public class HooksCommand implements Action {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Reference
    VirtService virt;

    @Override
    public Object execute() {
        Optional<LibvirtStatus> libvirt = virt.libvirt();
        System.out.println(libvirt.map(HooksCommand::describe).orElse("libvirt: not served (no etc/org.headroom.virt.cfg)"));
        HookStatus hooks = virt.hooks();
        System.out.println("socket " + hooks.socket() + ": " + hooks.health() + ", " + hooks.refused() + " refused, "
                + hooks.malformed() + " malformed, " + hooks.turnedAway() + " turned away busy");
        for (Map.Entry<String, Long> e : new TreeMap<>(hooks.calls()).entrySet()) {
            System.out.println("  " + e.getKey() + ": " + e.getValue());
        }
        ShellTable table = new ShellTable();
        for (String c : new String[] {"Time", "VM", "Operation", "Exit", "Took", "Message"}) {
            table.column(c);
        }
        for (HookCall call : hooks.recent()) {
            table.addRow().addContent(TIME.format(call.at()), call.vm(), call.op(), call.exit(),
                    String.format(Locale.ROOT, "%.1f ms", call.micros() / 1000.0), call.message());
        }
        table.print(System.out);
        return null;
    }

    private static String describe(LibvirtStatus s) {
        String state = switch (s.state()) {
            case CONNECTED -> "connected";
            case CONNECTING -> "NOT connected yet (" + s.problem() + ")";
            case DISCONNECTED -> "NOT connected, reconnecting (" + s.problem() + ")";
            case BROKEN -> "BROKEN, serving no VM until restarted (" + s.problem() + ")";
            case CLOSED -> "closed";
        };
        return "libvirt: " + state + ", " + s.uri() + ", " + s.vms() + " VMs, " + s.reconnects() + " reconnects, "
                + s.eventsIgnored() + " threshold events ignored, " + s.eventsDropped() + " events dropped, "
                + s.callsRefused() + " calls refused";
    }
}
