package org.headroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.headroom.testing.GuestData;
import org.headroom.testing.Lab;
import org.headroom.testing.LoopDevice;
import org.headroom.testing.PoolPki;
import org.headroom.testing.QemuProcess;
import org.headroom.testing.TestGuest;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Live migration of a direct-QEMU VM between two agents, each the distribution in a Karaf of its
 * own (two processes, two sanlock daemons, one storage domain), calling each other over mutual
 * TLS with certificates of one pool CA. The real test guest writes into its thin disk throughout;
 * host 1 is the SPM and the source, host 2 the destination, which extends through the mailbox.
 *
 * <p>The two hosts share this machine's kernel, so the destination's attach finds the loop device
 * the source's volume already has (a loop device over a file is this lab's LV): both hosts' QEMUs
 * open the same device, as two hosts open one LV activated on both.
 */
public class MigrationIT {
    private static final String DOMAIN = "3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10";
    private static final int WRITE_MIB = 768;
    private static final int RATE_MIBS = 24;

    private KarafHosts hosts;
    private final List<QemuProcess> qemus = new ArrayList<>();
    private LoopDevice volume;
    private UUID volumeId;
    private Path work;
    private Path host1;
    private Path host2;

    @Before
    public void hosts() throws Exception {
        if (Lab.ci()) {
            Lab.require(Lab.QEMU, Lab.GUEST_KERNEL.toString(), Lab.GUEST_INITRD.toString(), "/dev/loop-control");
        } else if (!Files.exists(Lab.GUEST_KERNEL) || !Files.exists(Path.of(Lab.QEMU))) {
            org.junit.Assume.assumeTrue("run lab/install.sh", false);
        }
        work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "migration-");
        Path storage = work.resolve("storage");
        PoolPki pki = PoolPki.create(work.resolve("pki"), "host1", "host2");
        hosts = new KarafHosts(work);
        host1 = hosts.karaf("host1", storage, 1);
        host2 = hosts.karaf("host2", storage, 2);
        int port1 = KarafHosts.freePort();
        int port2 = KarafHosts.freePort();
        pool(host1, "host1", port1, pki, "host2=https://127.0.0.1:" + port2);
        pool(host2, "host2", port2, pki, "host1=https://127.0.0.1:" + port1);
        KarafHosts.start(host1);
        KarafHosts.awaitShell(host1, "headroom:spm", "this host is the SPM");
        KarafHosts.start(host2);
        KarafHosts.awaitShell(host2, "headroom:spm", "the SPM is host 1");
        KarafHosts.awaitShell(host2, "headroom:migrations", "serving");
        KarafHosts.awaitShell(host1, "headroom:migrations", "serving");

        // The VM's volume: one 64 MiB chunk, active on host 1 as a loop device.
        volumeId = UUID.randomUUID();
        Path file = storage.resolve(DOMAIN).resolve("images").resolve(UUID.randomUUID().toString())
                .resolve(volumeId.toString());
        Files.createDirectories(file.getParent());
        volume = LoopDevice.create(file, 64L << 20);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", volume.device(), "2G");
    }

    @After
    public void cleanUp() throws Exception {
        try {
            if (hosts != null) {
                hosts.close();
            }
        } finally {
            try {
                for (QemuProcess q : qemus) {
                    q.close();
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
    public void aWritingGuestMigratesWithItsVolumeAttachedEarlyAndItsExtensionsFollowIt() throws Exception {
        QemuProcess source = startSource();
        source.awaitConsole("hr: progress 64/", Duration.ofMinutes(2));
        String md5 = GuestData.patternMd5(source);

        // The cluster manager's part: attach the volume on host 2, start the incoming QEMU on its
        // run path, under another name (the VM is renamed on the way: attachments are the volume's).
        String attached = KarafHosts.shell(host2, "headroom:attach " + volumeId);
        Matcher runPath = Pattern.compile(volumeId + " (\\S+)").matcher(attached);
        assertTrue(attached, runPath.find());
        QemuProcess destination = startIncoming(host2, "guest-b", runPath.group(1));

        // A slow migration (8 MiB/s): the guest crosses thresholds while its RAM is copied.
        String result = KarafHosts.shell(host1, "headroom:migrate --as guest-b --bandwidth 8 guest host2");
        assertTrue(result, result.contains("guest outgoing host2: completed (attach early"));

        Matcher done = destination.awaitConsole("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", Duration.ofMinutes(4));
        assertEquals(destination.console(), "0", done.group(1));
        destination.awaitExit(Duration.ofSeconds(30));
        assertFalse("the source's QEMU is gone after the switchover", source.alive());

        String sourceVolumes = KarafHosts.shell(host1, "headroom:volumes");
        String destinationVolumes = KarafHosts.shell(host2, "headroom:volumes");
        assertEquals("pauses on the source:\n" + sourceVolumes, 0, summary(sourceVolumes, 2));
        assertEquals("failures on the source:\n" + sourceVolumes, 0, summary(sourceVolumes, 3));
        assertEquals("pauses on the destination:\n" + destinationVolumes, 0, summary(destinationVolumes, 2));
        assertTrue("the destination extended after landing:\n" + destinationVolumes, summary(destinationVolumes, 1) >= 1);

        // Every extension made while the VM migrated was refreshed on host 2 before host 1 used it.
        List<LocalDateTime> destinationRefreshes = logTimes(host2, "refreshed volume " + volumeId + " here before the source");
        assertFalse("no extension happened mid-migration", destinationRefreshes.isEmpty());
        List<LocalDateTime> sourceExtensions = logTimes(host1, "extended guest/");
        for (LocalDateTime refreshed : destinationRefreshes) {
            assertTrue("host 1 used the extension refreshed on host 2 at " + refreshed + " before it: " + sourceExtensions,
                    sourceExtensions.stream().anyMatch(t -> !t.isBefore(refreshed)));
        }

        String outgoing = KarafHosts.shell(host1, "headroom:migrations");
        System.out.println("host 1:\n" + result + outgoing + sourceVolumes + "extensions at " + sourceExtensions);
        assertTrue(outgoing, outgoing.matches("(?s).*guest\\s*\\|\\s*outgoing\\s*\\|\\s*host2\\s*\\|\\s*completed.*"));
        String incoming = KarafHosts.shell(host2, "headroom:migrations");
        System.out.println("host 2:\n" + incoming + destinationVolumes + "refreshes at " + destinationRefreshes);
        assertTrue(incoming, incoming.matches("(?s).*guest-b\\s*\\|\\s*incoming\\s*\\|\\s*host1\\s*\\|\\s*completed.*"));

        volume.resize(Files.size(volume.file()));
        Lab.run(Lab.QEMU_IMG, "check", "-q", "-f", "qcow2", volume.device());
        GuestData.assertWritten(Path.of(volume.device()), WRITE_MIB, md5);
    }

    /** The source: the guest writing {@link #WRITE_MIB} at {@link #RATE_MIBS} into its disk, attached to host 1 and running. */
    private QemuProcess startSource() throws Exception {
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(volume.device()));
        args.addAll(TestGuest.args("q0", WRITE_MIB, RATE_MIBS, false));
        args.add("-S");
        QemuProcess source = qemu("source", args);
        Files.writeString(host1.resolve("etc/org.headroom.qmp.vm-guest.cfg"), "name = guest\nsocket = " + source.qmpSocket() + "\n");
        KarafHosts.awaitShell(host1, "headroom:volumes", "armed");
        KarafHosts.shell(host1, "headroom:qmp guest cont");
        return source;
    }

    /** The destination's QEMU for the guest: the same machine, waiting with -incoming defer. */
    private QemuProcess startIncoming(Path karaf, String name, String disk) throws Exception {
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(disk));
        args.addAll(TestGuest.args("q0", WRITE_MIB, RATE_MIBS, false));
        args.addAll(List.of("-S", "-incoming", "defer"));
        QemuProcess incoming = qemu("incoming-" + name, args);
        Files.writeString(karaf.resolve("etc/org.headroom.qmp.vm-" + name + ".cfg"),
                "name = " + name + "\nsocket = " + incoming.qmpSocket() + "\n");
        KarafHosts.awaitShell(karaf, "headroom:vms", name);
        return incoming;
    }

    private QemuProcess qemu(String name, List<String> args) throws IOException, InterruptedException {
        Path dir = work.resolve(name);
        Files.createDirectories(dir);
        QemuProcess q = QemuProcess.start(dir, args);
        qemus.add(q);
        return q;
    }

    private static void pool(Path karaf, String name, int port, PoolPki pki, String peers) throws IOException {
        Path cfg = karaf.resolve("etc/org.headroom.migrate.cfg");
        KarafHosts.set(cfg, "host", name);
        KarafHosts.set(cfg, "bind_address", "127.0.0.1");
        KarafHosts.set(cfg, "port", Integer.toString(port));
        KarafHosts.set(cfg, "keystore", pki.keystore(name).toString());
        KarafHosts.set(cfg, "truststore", pki.truststore().toString());
        KarafHosts.set(cfg, "password_file", pki.passwordFile().toString());
        KarafHosts.set(cfg, "peers", peers);
    }

    /** Group {@code n} of headroom:volumes' "N extensions, N pauses, N failures". */
    private static int summary(String volumes, int n) {
        Matcher m = Pattern.compile("(\\d+) extensions, (\\d+) pauses, (\\d+) failures").matcher(volumes);
        assertTrue(volumes, m.find());
        return Integer.parseInt(m.group(n));
    }

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS");

    /** When the host's Karaf logged lines containing {@code text}. */
    private static List<LocalDateTime> logTimes(Path karaf, String text) throws IOException {
        List<LocalDateTime> times = new ArrayList<>();
        for (String line : Files.readAllLines(karaf.resolve("data/log/karaf.log"))) {
            if (line.contains(text) && line.length() > 23) {
                times.add(LocalDateTime.parse(line.substring(0, 23), LOG_TIME));
            }
        }
        return times;
    }
}
