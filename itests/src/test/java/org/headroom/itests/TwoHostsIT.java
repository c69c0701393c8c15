package org.headroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.headroom.testing.GuestData;
import org.headroom.testing.KarafHosts;
import org.headroom.testing.Lab;
import org.headroom.testing.LoopDevice;
import org.headroom.testing.QemuProcess;
import org.headroom.testing.TestGuest;
import org.junit.After;
import org.junit.Test;

/**
 * Two agents, each the Headroom distribution in a Karaf of its own with a sanlock daemon of its own,
 * sharing one storage domain directory as two hosts share a LUN. Both are SPM candidates: host 1,
 * started first, takes the SDM lease and serves the SPM side; host 2 sees it hold the role and runs
 * the VM. Every extension of the VM's disk travels host 2's mailbox block to host 1 and back.
 */
public class TwoHostsIT {
    private static final String DOMAIN = "3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10";
    private static final int WRITE_MIB = 512;

    private KarafHosts hosts;
    private QemuProcess qemu;
    private LoopDevice volume;
    private Path work;

    @After
    public void stop() throws Exception {
        try {
            if (hosts != null) {
                hosts.close();
            }
        } finally {
            try {
                if (qemu != null) {
                    qemu.close();
                }
            } finally {
                if (volume != null) {
                    volume.close();
                }
                if (work != null) {
                    try (Stream<Path> files = Files.walk(work)) {
                        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    @Test
    public void aVmOnTheNonSpmHostIsExtendedThroughTheMailboxWithoutPausing() throws Exception {
        if (Lab.ci()) {
            Lab.require(Lab.QEMU, Lab.GUEST_KERNEL.toString(), Lab.GUEST_INITRD.toString(), "/dev/loop-control");
        } else if (!Files.exists(Lab.GUEST_KERNEL) || !Files.exists(Path.of(Lab.QEMU))) {
            org.junit.Assume.assumeTrue("run lab/install.sh", false);
        }
        work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "two-hosts-");
        Path storage = work.resolve("storage");
        hosts = new KarafHosts(work, Path.of(System.getProperty("headroom.itest.distribution")));
        Path spm = hosts.karaf("host1", storage, 1);
        Path host = hosts.karaf("host2", storage, 2);
        KarafHosts.start(spm);
        KarafHosts.awaitShell(spm, "headroom:domains", DOMAIN);
        KarafHosts.awaitShell(spm, "headroom:spm", "this host is the SPM");

        // The VM's volume: one 64 MiB chunk, active on host 2 as a loop device.
        Path file = storage.resolve(DOMAIN).resolve("images").resolve(UUID.randomUUID().toString())
                .resolve(UUID.randomUUID().toString());
        Files.createDirectories(file.getParent());
        volume = LoopDevice.create(file, 64L << 20);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", volume.device(), "2G");
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(volume.device()));
        args.addAll(TestGuest.args("q0", WRITE_MIB, 0, false));
        args.add("-S");
        qemu = QemuProcess.start(work, args);
        Files.writeString(host.resolve("etc/org.headroom.qmp.vm-guest.cfg"),
                "name = guest\nsocket = " + qemu.qmpSocket() + "\n");
        KarafHosts.start(host);
        KarafHosts.awaitShell(host, "headroom:spm", "the SPM is host 1");
        KarafHosts.awaitShell(host, "headroom:volumes", "armed");
        KarafHosts.shell(host, "headroom:qmp guest cont");

        Matcher done = qemu.awaitConsole("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", Duration.ofMinutes(3));
        assertEquals(qemu.console(), "0", done.group(1));
        qemu.awaitExit(Duration.ofSeconds(30));

        String volumes = KarafHosts.shell(host, "headroom:volumes");
        Matcher summary = Pattern.compile("(\\d+) extensions, (\\d+) pauses, (\\d+) failures").matcher(volumes);
        assertTrue(volumes, summary.find());
        assertTrue("extensions on host 2:\n" + volumes, Integer.parseInt(summary.group(1)) >= 5);
        assertEquals("pauses on host 2:\n" + volumes, "0", summary.group(2));
        assertEquals("failures on host 2:\n" + volumes, "0", summary.group(3));
        String mailbox = KarafHosts.shell(spm, "headroom:mailbox");
        Matcher spmRow = Pattern.compile("(?m)^spm\\s+\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)").matcher(mailbox);
        assertTrue(mailbox, spmRow.find());
        assertTrue("requests the SPM served:\n" + mailbox, Integer.parseInt(spmRow.group(2)) >= 5);

        volume.resize(Files.size(file)); // the "refresh" of this test's own view before reading
        Lab.run(Lab.QEMU_IMG, "check", "-q", "-f", "qcow2", volume.device());
        GuestData.assertWritten(Path.of(volume.device()), WRITE_MIB, GuestData.patternMd5(qemu));
    }
}
