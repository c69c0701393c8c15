package org.headroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
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
    /** A second domain, connected to host 1 only. */
    private static final String OTHER_DOMAIN = "8a4c2e1b-5d3f-4b6a-9e7c-1f2d3c4b5a60";
    private static final int WRITE_MIB = 768;
    private static final int RATE_MIBS = 24;

    private KarafHosts hosts;
    private PoolPki pki;
    private final List<QemuProcess> qemus = new ArrayList<>();
    private final List<LoopDevice> loops = new ArrayList<>();
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
        pki = PoolPki.create(work.resolve("pki"), "host1", "host2");
        hosts = new KarafHosts(work, Path.of(System.getProperty("headroom.itest.distribution")));
        host1 = hosts.karaf("host1", storage, 1);
        host2 = hosts.karaf("host2", storage, 2);
        KarafHosts.set(host1.resolve("etc/org.headroom.storage.cfg"), "domains", DOMAIN + ", " + OTHER_DOMAIN);
        KarafHosts.set(host1.resolve("etc/org.headroom.lease.cfg"), "spm_domain", DOMAIN);
        int port1 = KarafHosts.freePort();
        int port2 = KarafHosts.freePort();
        pki.join(host1, "host1", port1, "host2=https://127.0.0.1:" + port2);
        pki.join(host2, "host2", port2, "host1=https://127.0.0.1:" + port1);
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
        loops.add(volume);
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
                for (LoopDevice l : loops) {
                    l.close();
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
        QemuProcess source = startSource(WRITE_MIB, RATE_MIBS, List.of());
        source.awaitConsole("hr: progress 64/", Duration.ofMinutes(2));
        String md5 = GuestData.patternMd5(source);

        // The cluster manager's part: attach the volume on host 2, start the incoming QEMU on its
        // run path, under another name (the VM is renamed on the way: attachments are the volume's).
        QemuProcess destination = startIncoming(host2, "guest-b", attach(host2).toString(), WRITE_MIB, RATE_MIBS, List.of());

        // A slow migration (8 MiB/s): the guest crosses thresholds while its RAM is copied.
        String result = KarafHosts.shell(host1, "headroom:migrate --as guest-b --bandwidth 8 guest host2");
        assertTrue(result, result.contains("guest outgoing host2: completed (attach early"));

        Matcher done = destination.awaitConsole("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", Duration.ofMinutes(4));
        assertEquals(destination.console(), "0", done.group(1));
        destination.awaitExit(Duration.ofSeconds(30));
        assertFalse("the source's QEMU is gone after the switchover", source.alive());

        String sourceVolumes = KarafHosts.shell(host1, "headroom:volumes");
        String destinationVolumes = KarafHosts.shell(host2, "headroom:volumes");
        assertEquals("pauses on the source:\n" + sourceVolumes, 0, KarafHosts.volumesSummary(sourceVolumes, 2));
        assertEquals("failures on the source:\n" + sourceVolumes, 0, KarafHosts.volumesSummary(sourceVolumes, 3));
        assertEquals("pauses on the destination:\n" + destinationVolumes, 0, KarafHosts.volumesSummary(destinationVolumes, 2));
        assertTrue("the destination extended after landing:\n" + destinationVolumes, KarafHosts.volumesSummary(destinationVolumes, 1) >= 1);

        // Every extension made while the VM migrated was refreshed on host 2 before host 1 used it.
        List<LocalDateTime> destinationRefreshes = KarafHosts.logTimes(host2, "refreshed volume " + volumeId + " here before the source");
        assertFalse("no extension happened mid-migration", destinationRefreshes.isEmpty());
        List<LocalDateTime> sourceExtensions = KarafHosts.logTimes(host1, "extended guest/");
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

    @Test
    public void aFailedOrCancelledMigrationLeavesTheVmRunningAndWatchedHereAndNothingAttachedThere() throws Exception {
        // A second disk on a domain host 2 is not connected to: host 2 cannot attach it.
        Path other = work.resolve("storage").resolve(OTHER_DOMAIN).resolve("images").resolve(UUID.randomUUID().toString())
                .resolve(UUID.randomUUID().toString());
        Files.createDirectories(other.getParent());
        LoopDevice second = LoopDevice.create(other, 64L << 20);
        loops.add(second);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", second.device(), "1G");
        List<String> vd1 = secondDisk(second.device());
        QemuProcess source = startSource(512, 8, vd1);
        source.awaitConsole("hr: progress 32/", Duration.ofMinutes(2));

        // 1. Host 2 fails to attach: the migration fails before QEMU migrates anything.
        Path runPath = attach(host2);
        // On a real host 2 the second disk could not be opened at all; here the machine is shared.
        QemuProcess refused = startIncoming(host2, "guest", runPath.toString(), 512, 8, vd1);
        String failed = KarafHosts.shell(host1, "headroom:migrate guest host2");
        assertTrue(failed, failed.contains("guest outgoing host2: failed") && failed.contains("did not prepare"));
        assertNothingAttached(runPath);
        refused.awaitExit(Duration.ofSeconds(30));
        assertRunsOnAndWatched(source);

        // 2. Legacy attach: host 2 attaches inside the downtime, fails there, and the source
        //    cancels at pre-switchover: QEMU resumes the guest here.
        KarafHosts.shell(host1, "config:property-set -p org.headroom.migrate attach legacy");
        KarafHosts.awaitShell(host1, "headroom:migrations", "serving");
        runPath = attach(host2);
        QemuProcess cancelled = startIncoming(host2, "guest", runPath.toString(), 512, 8, vd1);
        long extensionsBefore = KarafHosts.volumesSummary(KarafHosts.shell(host1, "headroom:volumes"), 1);
        String atSwitchover = KarafHosts.shell(host1, "headroom:migrate guest host2");
        assertTrue(atSwitchover, atSwitchover.contains("guest outgoing host2: cancelled")
                && atSwitchover.contains("did not activate"));
        assertNothingAttached(runPath);
        cancelled.awaitExit(Duration.ofSeconds(30));
        assertRunsOnAndWatched(source);

        // 3. Callers that are not agents of the pool: refused by host 2's endpoint, and counted.
        refusedStrangers(host2);

        Matcher done = source.awaitConsole("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", Duration.ofMinutes(3));
        assertEquals(source.console(), "0", done.group(1));
        String volumes = KarafHosts.shell(host1, "headroom:volumes");
        System.out.println("host 1 after the failed and the cancelled migration:\n" + KarafHosts.shell(host1, "headroom:migrations")
                + volumes + "host 2:\n" + KarafHosts.shell(host2, "headroom:migrations"));
        assertTrue("the source kept extending after the cancel:\n" + volumes, KarafHosts.volumesSummary(volumes, 1) > extensionsBefore);
        assertEquals("pauses:\n" + volumes, 0, KarafHosts.volumesSummary(volumes, 2));
        assertEquals("failures:\n" + volumes, 0, KarafHosts.volumesSummary(volumes, 3));
    }

    private Path attach(Path karaf) throws Exception {
        String attached = KarafHosts.shell(karaf, "headroom:attach " + volumeId);
        Matcher runPath = Pattern.compile(volumeId + " (\\S+)").matcher(attached);
        assertTrue(attached, runPath.find());
        return Path.of(runPath.group(1));
    }

    private void assertNothingAttached(Path runPath) throws Exception {
        String migrations = KarafHosts.shell(host2, "headroom:migrations");
        assertFalse("host 2 keeps an attachment:\n" + migrations, migrations.contains("attached "));
        assertFalse("host 2 keeps the run path " + runPath, Files.exists(runPath, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    /** The guest runs on host 1, its drives still watched and armed. */
    private void assertRunsOnAndWatched(QemuProcess source) throws Exception {
        assertTrue(source.alive());
        KarafHosts.awaitShell(host1, "headroom:qmp guest query-status", "\"status\" : \"running\"");
        String volumes = KarafHosts.awaitShell(host1, "headroom:volumes", "armed");
        assertTrue(volumes, volumes.matches("(?s).*guest\\s*\\|\\s*vd0\\s*\\|[^\\n]*armed.*"));
        source.awaitConsole("hr: progress", Duration.ofSeconds(10));
    }

    /** No certificate: 403; a certificate of another CA: no handshake. Both counted by host 2. */
    private void refusedStrangers(Path karaf) throws Exception {
        String port = java.nio.file.Files.readAllLines(karaf.resolve("etc/org.headroom.migrate.cfg")).stream()
                .filter(l -> l.startsWith("port")).findFirst().orElseThrow().split("=")[1].trim();
        java.net.URI url = java.net.URI.create("https://127.0.0.1:" + port + "/v1/incoming/abort");
        PoolPki stranger = PoolPki.create(work.resolve("stranger"), "host1");
        for (javax.net.ssl.SSLContext tls : List.of(stranger.clientContext(null, pki), stranger.clientContext("host1", pki))) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(tls)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            java.net.http.HttpRequest call = java.net.http.HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"migration\":\"x\"}")).build();
            try {
                int code = client.send(call, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
                assertEquals("a caller without a certificate", 403, code);
            } catch (IOException handshake) {
                // The stranger's certificate: refused in the handshake.
            }
        }
        KarafHosts.awaitShell(karaf, "headroom:migrations", "refused 1 without a certificate and 1 with one not of the pool");
    }

    private static List<String> secondDisk(String device) {
        return List.of("-blockdev", "driver=host_device,filename=" + device + ",aio=native,cache.direct=on,node-name=f1",
                "-blockdev", "driver=qcow2,file=f1,node-name=q1",
                "-device", "virtio-blk-pci,drive=q1,id=vd1");
    }

    /** The source: the guest writing {@code mib} at {@code rate} into its disk, attached to host 1 and running. */
    private QemuProcess startSource(int mib, int rate, List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(volume.device()));
        args.addAll(TestGuest.args("q0", mib, rate, false));
        args.addAll(extra);
        args.add("-S");
        QemuProcess source = qemu("source", args);
        Files.writeString(host1.resolve("etc/org.headroom.qmp.vm-guest.cfg"), "name = guest\nsocket = " + source.qmpSocket() + "\n");
        KarafHosts.awaitShell(host1, "headroom:volumes", "armed");
        KarafHosts.shell(host1, "headroom:qmp guest cont");
        return source;
    }

    /** The destination's QEMU for the guest: the same machine, waiting with -incoming defer. */
    private QemuProcess startIncoming(Path karaf, String name, String disk, int mib, int rate, List<String> extra)
            throws Exception {
        List<String> args = new ArrayList<>(TestGuest.qcow2OnBlockDevice(disk));
        args.addAll(TestGuest.args("q0", mib, rate, false));
        args.addAll(extra);
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
}
