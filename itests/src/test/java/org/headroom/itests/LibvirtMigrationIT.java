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
import java.util.stream.Stream;
import org.headroom.testing.GuestData;
import org.headroom.testing.KarafHosts;
import org.headroom.testing.Lab;
import org.headroom.testing.LibvirtGuest;
import org.headroom.testing.LibvirtHost;
import org.headroom.testing.LoopDevice;
import org.headroom.testing.PoolPki;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Live migration as admins run it: {@code virsh migrate --live --p2p} between two libvirtd, each
 * in a mount namespace of its own (lab/libvirtd-host.sh), each with Headroom's qemu hook calling
 * the agent of its host, a Karaf in the same namespace. The real test guest writes into its thin
 * disk throughout; host 1 is the SPM and the source.
 */
public class LibvirtMigrationIT {
    private static final String DOMAIN = "3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10";
    private static final int WRITE_MIB = 768;
    private static final int RATE_MIBS = 24;

    private KarafHosts hosts;
    private final List<AutoCloseable> closers = new ArrayList<>();
    private LibvirtHost libvirt1;
    private LibvirtHost libvirt2;
    private LoopDevice volume;
    private UUID volumeId;
    private Path runPath;
    private Path work;
    private Path host1;
    private Path host2;
    private int port1;

    @Before
    public void hosts() throws Exception {
        if (Lab.ci()) {
            Lab.require(Lab.QEMU, Lab.GUEST_KERNEL.toString(), Lab.GUEST_INITRD.toString(), "/dev/loop-control",
                    "/usr/sbin/libvirtd");
        } else if (!Files.exists(Lab.GUEST_KERNEL) || !Files.exists(Path.of("/usr/sbin/libvirtd"))) {
            org.junit.Assume.assumeTrue("run lab/install.sh", false);
        }
        work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "libvirt-migration-");
        Path storage = work.resolve("storage");
        PoolPki pki = PoolPki.create(work.resolve("pki"), "host1", "host2");
        hosts = new KarafHosts(work, Path.of(System.getProperty("headroom.itest.distribution")));
        host1 = hosts.karaf("host1", storage, 1);
        host2 = hosts.karaf("host2", storage, 2);
        KarafHosts.set(host1.resolve("etc/org.headroom.lease.cfg"), "spm_domain", DOMAIN);
        for (Path karaf : List.of(host1, host2)) {
            // Each host's own /run/headroom (its namespace's): the run paths the same on both, as the XML needs.
            KarafHosts.set(karaf.resolve("etc/org.headroom.storage.cfg"), "run_dir", "/run/headroom/storage");
        }
        port1 = KarafHosts.freePort();
        int port2 = KarafHosts.freePort();
        pki.join(host1, "host1", port1, "host2=https://127.0.0.1:" + port2);
        pki.join(host2, "host2", port2, "host1=https://127.0.0.1:" + port1);
        libvirt1 = LibvirtHost.start(work.resolve("libvirt1"), UUID.randomUUID().toString(), host1.resolve("hook.sock"));
        closers.add(libvirt1);
        libvirt2 = LibvirtHost.start(work.resolve("libvirt2"), UUID.randomUUID().toString(), host2.resolve("hook.sock"));
        closers.add(libvirt2);
        libvirt1.start(host1);
        KarafHosts.awaitShell(host1, "headroom:spm", "this host is the SPM");
        libvirt2.start(host2);
        KarafHosts.awaitShell(host2, "headroom:spm", "the SPM is host 1");
        KarafHosts.awaitShell(host2, "headroom:migrations", "serving");
        KarafHosts.awaitShell(host1, "headroom:migrations", "serving");

        volumeId = UUID.randomUUID();
        UUID image = UUID.randomUUID();
        Path file = storage.resolve(DOMAIN).resolve("images").resolve(image.toString()).resolve(volumeId.toString());
        Files.createDirectories(file.getParent());
        volume = LoopDevice.create(file, 64L << 20);
        closers.add(volume);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", volume.device(), "2G");
        runPath = Path.of("/run/headroom/storage", DOMAIN, image.toString(), volumeId.toString());
    }

    @After
    public void cleanUp() throws Exception {
        try {
            if (hosts != null) {
                hosts.close();
            }
        } finally {
            try {
                for (int i = closers.size() - 1; i >= 0; i--) {
                    closers.get(i).close();
                }
            } finally {
                if (work != null && System.getProperty("headroom.itest.keep") == null) {
                    try (Stream<Path> files = Files.walk(work)) {
                        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    @Test
    public void virshMigratesAWritingGuestWithItsVolumeAttachedByTheDestinationsHook() throws Exception {
        LibvirtGuest guest = LibvirtGuest.start(libvirt1, work, "guest", runPath, WRITE_MIB, RATE_MIBS);
        closers.add(guest);
        KarafHosts.awaitShell(host1, "headroom:volumes", "armed");
        guest.console().await("hr: progress 64/", Duration.ofMinutes(2));
        String md5 = guest.console().patternMd5();

        // As admins run it, renamed on the way; slow (8 MiB/s), so that the guest crosses thresholds meanwhile.
        migrate("--bandwidth", "8", "--dname", "guest-b", "guest");
        assertEquals("running", libvirt2.virsh("domstate", "guest-b"));

        Matcher done = guest.console().await("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", Duration.ofMinutes(4));
        assertEquals(guest.console().text(), "0", done.group(1));
        String sourceVolumes = KarafHosts.shell(host1, "headroom:volumes");
        String destinationVolumes = KarafHosts.shell(host2, "headroom:volumes");
        String outgoing = KarafHosts.shell(host1, "headroom:migrations");
        String incoming = KarafHosts.shell(host2, "headroom:migrations");
        List<LocalDateTime> destinationRefreshes = KarafHosts.logTimes(host2, "refreshed volume " + volumeId + " here before the source");
        List<LocalDateTime> sourceExtensions = KarafHosts.logTimes(host1, "extended guest/");
        System.out.println("host 1:\n" + outgoing + sourceVolumes + "extensions at " + sourceExtensions);
        System.out.println("host 2:\n" + incoming + destinationVolumes + "refreshes at " + destinationRefreshes);

        assertEquals("pauses on the source:\n" + sourceVolumes, 0, KarafHosts.volumesSummary(sourceVolumes, 2));
        assertEquals("failures on the source:\n" + sourceVolumes, 0, KarafHosts.volumesSummary(sourceVolumes, 3));
        assertEquals("pauses on the destination:\n" + destinationVolumes, 0, KarafHosts.volumesSummary(destinationVolumes, 2));
        assertTrue("the destination extended after landing:\n" + destinationVolumes, KarafHosts.volumesSummary(destinationVolumes, 1) >= 1);
        assertFalse("no extension happened mid-migration", destinationRefreshes.isEmpty());
        for (LocalDateTime refreshed : destinationRefreshes) {
            assertTrue("host 1 used the extension refreshed on host 2 at " + refreshed + " before it: " + sourceExtensions,
                    sourceExtensions.stream().anyMatch(t -> !t.isBefore(refreshed)));
        }
        assertTrue(outgoing, outgoing.matches("(?s).*guest-b\\s*\\|\\s*outgoing\\s*\\|\\s*host2\\s*\\|\\s*completed.*"));
        assertTrue(incoming, incoming.matches("(?s).*guest-b\\s*\\|\\s*incoming\\s*\\|\\s*host1\\s*\\|\\s*completed.*"));
        assertFalse("host 2 keeps an attachment after landing:\n" + incoming, incoming.contains("attached "));

        // The guest powers off when done; host 2's release hook then detaches the loop device: the
        // data is checked in the volume's file itself.
        awaitGone(libvirt2, "guest-b");
        Lab.run(Lab.QEMU_IMG, "check", "-q", "-f", "qcow2", volume.file().toString());
        GuestData.assertWritten(volume.file(), WRITE_MIB, md5);
    }

    @Test
    public void aRefusedOrCancelledMigrationLeavesTheVmRunningAndWatchedHereAndNothingAttachedThere() throws Exception {
        LibvirtGuest guest = LibvirtGuest.start(libvirt1, work, "guest", runPath, 512, 8);
        closers.add(guest);
        KarafHosts.awaitShell(host1, "headroom:volumes", "armed");
        guest.console().await("hr: progress 32/", Duration.ofMinutes(2));

        // 1. No agent of the pool has the VM's volumes in use (host 2 knows only a host 3 that does
        //    not answer, as when the source's agent is down): host 2's prepare hook refuses, and
        //    libvirt fails the migration before anything moved.
        KarafHosts.shell(host2, "config:property-set -p org.headroom.migrate peers host3=https://127.0.0.1:9");
        KarafHosts.awaitShell(host2, "headroom:migrations", "serving");
        IOException refused = migrateFails("guest");
        assertTrue(refused.getMessage(), refused.getMessage().contains("cannot take the migration of VM guest")
                && refused.getMessage().contains("no agent of the pool"));
        assertNothingAttached();
        assertRunsOnAndWatched(guest);
        KarafHosts.shell(host2, "config:property-set -p org.headroom.migrate peers host1=https://127.0.0.1:" + port1);
        KarafHosts.awaitShell(host2, "headroom:migrations", "serving");

        // 2. Cancelled while its RAM is copied (libvirt answers QEMU's pre-switchover itself: the
        //    admin's cancel is domjobabort): the source resumes, host 2 releases the volume.
        Thread abort = new Thread(() -> {
            try {
                KarafHosts.awaitShell(host1, "headroom:migrations", "outgoing");
                libvirt1.virsh("domjobabort", "guest");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        abort.start();
        IOException cancelled = migrateFails("--bandwidth", "2", "guest");
        abort.join(60_000);
        assertTrue(cancelled.getMessage(), cancelled.getMessage().contains("cancel"));
        assertNothingAttached();
        assertRunsOnAndWatched(guest);
        String outgoing = KarafHosts.awaitShell(host1, "headroom:migrations", "failed");
        assertTrue(outgoing, outgoing.matches("(?s).*guest\\s*\\|\\s*outgoing\\s*\\|\\s*host2\\s*\\|\\s*failed.*"));

        Matcher done = guest.console().await("hr: DONE rc=(\\d+) wrote=(\\d+)MiB", Duration.ofMinutes(3));
        assertEquals(guest.console().text(), "0", done.group(1));
        String volumes = KarafHosts.shell(host1, "headroom:volumes");
        System.out.println("host 1 after the refused and the cancelled migration:\n" + KarafHosts.shell(host1, "headroom:migrations")
                + volumes + "host 2:\n" + KarafHosts.shell(host2, "headroom:migrations") + KarafHosts.shell(host2, "headroom:hooks"));
        assertEquals("pauses:\n" + volumes, 0, KarafHosts.volumesSummary(volumes, 2));
        assertEquals("failures:\n" + volumes, 0, KarafHosts.volumesSummary(volumes, 3));
    }

    private String migrate(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-c", libvirt1.uri(), "migrate", "--live", "--p2p"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--desturi", libvirt2.uri(), "--migrateuri", "unix://" + work.resolve("qemu-migration.sock")));
        return Lab.run(cmd);
    }

    private IOException migrateFails(String... args) throws InterruptedException {
        try {
            String out = migrate(args);
            throw new AssertionError("the migration succeeded: " + out);
        } catch (IOException expected) {
            return expected;
        }
    }

    private static void awaitGone(LibvirtHost host, String vm) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (host.virsh("list", "--name").contains(vm)) {
            assertTrue(vm + " still runs on " + host.uri(), System.nanoTime() < deadline);
            Thread.sleep(200);
        }
    }

    private void assertNothingAttached() throws Exception {
        String migrations = KarafHosts.shell(host2, "headroom:migrations");
        assertFalse("host 2 keeps an attachment:\n" + migrations, migrations.contains("attached "));
        assertEquals("host 2 keeps the run path " + runPath, "gone",
                libvirt2.exec("sh", "-c", "test -e '" + runPath + "' || test -L '" + runPath + "' || echo gone").strip());
        assertEquals("", libvirt2.virsh("list", "--name"));
    }

    /** The guest runs on host 1, its drive still watched and armed. */
    private void assertRunsOnAndWatched(LibvirtGuest guest) throws Exception {
        assertEquals("running", guest.state());
        String volumes = KarafHosts.awaitShell(host1, "headroom:volumes", "armed");
        assertTrue(volumes, volumes.matches("(?s).*guest\\s*\\|\\s*vda\\s*\\|[^\\n]*armed.*"));
        guest.console().await("hr: progress", Duration.ofSeconds(10));
    }
}
