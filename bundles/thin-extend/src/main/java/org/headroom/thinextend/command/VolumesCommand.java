package org.headroom.thinextend.command;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.headroom.thinextend.MonitorStatus;
import org.headroom.thinextend.VolumeMonitorService;
import org.headroom.thinextend.VolumeStatus;

@Command(scope = "headroom", name = "volumes", description = "Shows the thin volumes the monitor watches: sizes, state, extensions, pauses, and why the last extension was sized so")
@Service
public class VolumesCommand implements Action {

    @Option(name = "--all", aliases = "-a", description = "Also the volumes watched before, whose VMs no longer run, with their history")
    boolean all;

    @Reference(optional = true)
    VolumeMonitorService service;

    @Override
    public Object execute() throws Exception {
        if (service == null) {
            System.out.println(NotRunning.MONITOR);
            return null;
        }
        List<VolumeStatus> volumes = service.volumes(all).toCompletableFuture().get(10, TimeUnit.SECONDS);
        ShellTable table = new ShellTable();
        for (String c : List.of("VM", "Drive", "Volume", "State", "Capacity MiB", "Physical MiB", "Allocation MiB",
                "Threshold MiB", "Extensions", "Pauses", "Failures", "Last ms", "Last extension", "Problem")) {
            table.column(c);
        }
        for (VolumeStatus v : volumes) {
            table.addRow().addContent(v.drive().vm(), v.drive().drive(), v.volume().volume(), v.state(),
                    mib(v.capacity()), mib(v.physical()), v.watched() ? mib(v.allocation()) : "-",
                    v.threshold() == 0 ? "-" : mib(v.threshold()),
                    v.extensions(), v.pauses(), v.failures(), String.format(Locale.ROOT, "%.1f", v.lastMillis()),
                    v.trigger().isEmpty() ? "-" : v.trigger() + ": " + v.rule(), v.problem());
        }
        table.print(System.out);
        MonitorStatus s = service.status();
        System.out.printf(Locale.ROOT, "policy %s: %d watched, %d extensions, %d pauses, %d failures, %d stale results;"
                        + " latency p50 %.1f ms, p99 %.1f ms; %s%n", s.policy(), s.watched(), s.extensions(), s.pauses(),
                s.failures(), s.stale(), s.latencyP50Millis(), s.latencyP99Millis(), s.health());
        return null;
    }

    private static String mib(long bytes) {
        return Long.toString(bytes >> 20);
    }
}
