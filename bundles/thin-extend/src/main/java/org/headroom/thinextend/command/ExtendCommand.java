package org.headroom.thinextend.command;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.thinextend.VolumeMonitorService;

@Command(scope = "headroom", name = "extend", description = "Extends a watched thin drive now: to SIZE MiB, or by the policy's next step")
@Service
public class ExtendCommand implements Action {

    @Argument(index = 0, name = "vm", required = true, description = "The VM's name")
    String vm;

    @Argument(index = 1, name = "drive", required = true, description = "The drive, as headroom:volumes names it")
    String drive;

    @Argument(index = 2, name = "size", description = "New size in MiB; omitted: the policy's next size")
    long sizeMiB;

    @Reference(optional = true)
    VolumeMonitorService service;

    @Override
    public Object execute() throws Exception {
        if (service == null) {
            System.out.println(NotRunning.MONITOR);
            return null;
        }
        if (sizeMiB < 0) {
            throw new IllegalArgumentException("size must be positive: " + sizeMiB);
        }
        long size = service.extend(new DriveRef(vm, drive), sizeMiB << 20).toCompletableFuture().get(5, TimeUnit.MINUTES);
        System.out.println(vm + "/" + drive + " is now " + (size >> 20) + " MiB");
        return null;
    }
}
