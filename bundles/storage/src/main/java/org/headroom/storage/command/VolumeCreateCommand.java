package org.headroom.storage.command;

import java.util.UUID;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.headroom.storage.CreatedVolume;
import org.headroom.storage.DiskSize;
import org.headroom.storage.VolumeService;

@Command(scope = "headroom", name = "volume-create",
        description = "Creates a volume in a connected domain, as the SPM does, formatted as a thin qcow2 (or raw); prints the run path for the domain XML")
@Service
public class VolumeCreateCommand implements Action {

    @Argument(index = 0, name = "domain", required = true, description = "The storage domain's UUID (see headroom:domains)")
    String domain;

    @Argument(index = 1, name = "capacity", required = true, description = "The disk's virtual size: 20G, 512M, 1T (a bare number is MiB)")
    String capacity;

    @Option(name = "--format", description = "qcow2 (thin: the volume starts small and grows; the default) or raw (preallocated)")
    String format = "qcow2";

    @Option(name = "--initial", description = "qcow2: the volume's first size (default one chunk, 2560 MiB, or the capacity if smaller)")
    String initial;

    @Reference
    VolumeService volumes;

    @Override
    public Object execute() {
        CreatedVolume v = volumes.create(UUID.fromString(domain.trim()), DiskSize.parse(capacity), format,
                initial == null ? 0 : DiskSize.parse(initial));
        System.out.println("volume " + v.volume() + ": " + v.format() + ", " + (v.capacity() >> 20) + " MiB virtual, "
                + (v.size() >> 20) + " MiB on storage");
        System.out.println("run path: " + v.runPath());
        System.out.println("in the domain XML:");
        System.out.println("  <disk type='block' device='disk'>");
        System.out.println("    <driver name='qemu' type='" + v.format() + "' cache='none' io='native' error_policy='stop'/>");
        System.out.println("    <source dev='" + v.runPath() + "'/>");
        System.out.println("    <target dev='vda' bus='virtio'/>");
        System.out.println("  </disk>");
        return null;
    }
}
