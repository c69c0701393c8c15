package org.headroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test guest ({@link TestGuest}) as a libvirt domain, defined and started with virsh: its one
 * disk, {@code vda}, a qcow2 on a block device named by {@code diskPath} (a volume's run path),
 * stopping the VM on write errors as VDSM's VMs do. {@link #close()} destroys and undefines it.
 */
public final class LibvirtGuest implements AutoCloseable {
    private final Virsh libvirtd;
    private final String name;
    private final Console console;

    private LibvirtGuest(Virsh libvirtd, String name, Console console) {
        this.libvirtd = libvirtd;
        this.name = name;
        this.console = console;
    }

    /** Defines and starts the guest; it writes {@code sizeMiB} into vda at {@code rateMiBs} (0: full speed). */
    public static LibvirtGuest start(Virsh libvirtd, Path dir, String name, Path diskPath, int sizeMiB, int rateMiBs)
            throws IOException, InterruptedException {
        Lab.requireGuest();
        Path consoleFile = dir.resolve(name + "-console.log");
        Files.deleteIfExists(consoleFile);
        String xml = """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>256</memory>
                  <vcpu>1</vcpu>
                  <os>
                    <type arch='x86_64' machine='q35'>hvm</type>
                    <kernel>%s</kernel>
                    <initrd>%s</initrd>
                    <cmdline>console=ttyS0 quiet hr.size=%d hr.rate=%d hr.verify=0</cmdline>
                  </os>
                  <on_poweroff>destroy</on_poweroff>
                  <on_reboot>destroy</on_reboot>
                  <on_crash>destroy</on_crash>
                  <devices>
                    <disk type='block' device='disk'>
                      <driver name='qemu' type='qcow2' cache='none' io='native' error_policy='stop'/>
                      <source dev='%s'/>
                      <target dev='vda' bus='virtio'/>
                    </disk>
                    <serial type='file'><source path='%s'/><target port='0'/></serial>
                    <controller type='usb' model='none'/>
                    <memballoon model='none'/>
                  </devices>
                </domain>
                """.formatted(name, Lab.GUEST_KERNEL, Lab.GUEST_INITRD, sizeMiB, rateMiBs, diskPath, consoleFile);
        Path xmlFile = dir.resolve(name + ".xml");
        Files.writeString(xmlFile, xml);
        libvirtd.virsh("define", xmlFile.toString());
        LibvirtGuest guest = new LibvirtGuest(libvirtd, name, new Console(consoleFile));
        try {
            libvirtd.virsh("start", name);
        } catch (IOException e) {
            guest.close();
            throw e;
        }
        return guest;
    }

    public String name() {
        return name;
    }

    public Console console() {
        return console;
    }

    /** libvirt's state of the domain: "running", "paused", "shut off". */
    public String state() throws IOException, InterruptedException {
        return libvirtd.virsh("domstate", name);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (!state().equals("shut off")) {
                libvirtd.virsh("destroy", name);
            }
        } finally {
            libvirtd.virsh("undefine", name);
        }
    }
}
