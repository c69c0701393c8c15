package org.headroom.thinextend.command;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.thinextend.internal.ExtensionStats;
import org.headroom.thinextend.internal.VolumeMonitor;
import org.headroom.thinextend.internal.VolumeMonitorService;

@Command(scope = "headroom", name = "volumes", description = "Shows the thin volumes the monitor watches: sizes, state, extensions, pauses")
@Service
public class VolumesCommand implements Action {

    @Reference
    VolumeMonitorService service;

    @Override
    public Object execute() throws Exception {
        List<VolumeMonitor.VolumeStatus> volumes = service.monitor().volumes().get(10, TimeUnit.SECONDS);
        ShellTable table = new ShellTable();
        for (String c : List.of("VM", "Drive", "Volume", "State", "Capacity MiB", "Physical MiB", "Allocation MiB",
                "Threshold MiB", "Extensions", "Pauses", "Failures", "Last ms", "Problem")) {
            table.column(c);
        }
        for (VolumeMonitor.VolumeStatus v : volumes) {
            table.addRow().addContent(v.drive().vm(), v.drive().drive(), v.volume().volume(), v.state(),
                    mib(v.capacity()), mib(v.physical()), mib(v.allocation()), v.threshold() == 0 ? "-" : mib(v.threshold()),
                    v.extensions(), v.pauses(), v.failures(), String.format(Locale.ROOT, "%.1f", v.lastMillis()), v.problem());
        }
        table.print(System.out);
        ExtensionStats s = service.monitor().stats();
        System.out.printf(Locale.ROOT, "policy %s: %d extensions, %d pauses, %d failures; latency p50 %.1f ms, p99 %.1f ms%n",
                service.policyName(), s.extensions(), s.pauses(), s.failures(), s.percentileMillis(50), s.percentileMillis(99));
        return null;
    }

    private static String mib(long bytes) {
        return Long.toString(bytes >> 20);
    }
}
