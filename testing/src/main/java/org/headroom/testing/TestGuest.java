package org.headroom.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The test guest of {@code lab/guest}: Debian's kernel and a busybox initramfs whose init writes
 * {@code sizeMiB} of a repeated 4 MiB random pattern into /dev/vda at {@code rateMiBs} (0 = as fast
 * as it can), prints {@code hr: pattern md5=...}, progress and {@code hr: DONE rc=N ...} on the
 * serial console, and powers off. TCG only: this machine's KVM hangs a Linux guest.
 */
public final class TestGuest {
    public static final int PATTERN_CHUNK_MIB = 4;

    private TestGuest() {
    }

    /** QEMU arguments booting the guest, writing into the drive whose format node is {@code formatNode}. */
    public static List<String> args(String formatNode, int sizeMiB, int rateMiBs, boolean verify) {
        Lab.requireGuest();
        List<String> args = new ArrayList<>(List.of("-m", "256",
                "-kernel", Lab.GUEST_KERNEL.toString(), "-initrd", Lab.GUEST_INITRD.toString(),
                "-append", "console=ttyS0 quiet hr.size=" + sizeMiB + " hr.rate=" + rateMiBs
                        + " hr.verify=" + (verify ? 1 : 0),
                "-device", "virtio-blk-pci,drive=" + formatNode + ",id=vd0,werror=enospc,rerror=report"));
        return args;
    }

    /** -blockdev arguments for a qcow2 image on a block device: protocol node f0, format node q0. */
    public static List<String> qcow2OnBlockDevice(String device) {
        return List.of("-blockdev", "driver=host_device,filename=" + device + ",aio=native,cache.direct=on,node-name=f0",
                "-blockdev", "driver=qcow2,file=f0,node-name=q0");
    }
}
