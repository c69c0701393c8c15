package org.headroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.junit.After;
import org.junit.AssumptionViolatedException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The Headroom distribution booted by Pax Exam, attached to a real QEMU through the shell commands
 * and Configuration Admin, as an operator would use it.
 *
 * <p>One class on purpose: each Pax Exam class boots Karaf once (10 to 20 s here). The test
 * methods run inside Karaf; {@link #config()} runs in the test JVM, where Failsafe sets
 * {@code headroom.itest.*} (see itests/pom.xml).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HeadroomKarafIT {

    // Handed from the test JVM to Karaf's system properties by config().
    private static final String QEMU_PROPERTY = "headroom.itest.qemu";
    private static final String QEMU_IMG_PROPERTY = "headroom.itest.qemu-img";
    private static final String CI_PROPERTY = "headroom.itest.ci";
    private static final String TMP_PROPERTY = "headroom.itest.tmp";
    private static final String STORAGE_PROPERTY = "headroom.itest.storage";
    private static final String PROJECT_PROPERTY = "headroom.itest.project";
    private static final String HOOK_SOCKET_PROPERTY = "headroom.itest.hook-socket";
    private static final String GUEST_KERNEL_PROPERTY = "headroom.itest.guest-kernel";
    private static final String GUEST_INITRD_PROPERTY = "headroom.itest.guest-initrd";

    /**
     * Whether config() started this Karaf's sanlock daemon, in the test JVM (which ends it when it
     * exits). Not the daemon itself: headroom-testing is not in Karaf, where this class loads too.
     */
    private static boolean sanlockStarted;

    private static final long MIB = 1 << 20;

    @Inject
    private BundleContext bundleContext;

    @Inject
    private FeaturesService featuresService;

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    @Filter("(hypervisor.type=qmp)")
    private Hypervisor hypervisor;

    @Inject
    private StorageDomains storageDomains;

    // What a test started; @After ends all of it, also when the test failed.
    private Process qemu;
    private Thread qemuKiller;
    /** Host 2 of the hot-swap test: lab/mailbox-tool in a process of its own. */
    private Process host2;
    private Path workDir;
    private org.osgi.service.cm.Configuration vmConfiguration;
    private VolumeRef volume;
    private String libvirtDomain;
    private boolean libvirtdStarted;
    /** libvirt's qemu hook as it was before the test installed Headroom's (null: there was none). */
    private byte[] hookBefore;
    private boolean hookSaved;

    @Configuration
    public Option[] config() throws IOException, InterruptedException {
        if (!sanlockStarted) {
            // At SANLOCK_RUN_DIR (itests/pom.xml), which Karaf inherits from this JVM's environment.
            org.headroom.testing.SanlockDaemon.startForThisProcess("hr-itest");
            sanlockStarted = true;
        }
        File distribution = new File(required("headroom.itest.distribution"));
        File offlineRepo = new File(required("headroom.itest.repo"));
        File work = new File(System.getProperty("headroom.itest.work", "target/exam"));
        String repos = "file:${karaf.home}/${karaf.default.repository}@id=system.repository@snapshots, "
                + offlineRepo.toURI() + "@id=itest.offline@snapshots";
        String cfg = "etc/org.ops4j.pax.url.mvn.cfg";
        List<Option> options = new ArrayList<>(List.of(
            karafDistributionConfiguration()
                .frameworkUrl(distribution.toURI().toString())
                .name("Headroom")
                .karafVersion("4.4.10")
                .unpackDirectory(new File(work, "karaf"))
                .useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            // The distribution's boot features in stages of their own, so that Pax Exam's, which it
            // appends, come in a last stage: see stagedFeaturesBoot.
            editConfigurationFilePut("etc/org.apache.karaf.features.cfg", "featuresBoot", stagedFeaturesBoot(distribution)),
            logLevel(LogLevel.INFO),
            // Never the network, never ~/.m2: the distribution's system/ and the offline repository.
            editConfigurationFilePut(cfg, "org.ops4j.pax.url.mvn.repositories", ""),
            editConfigurationFilePut(cfg, "org.ops4j.pax.url.mvn.defaultRepositories", repos),
            editConfigurationFilePut(cfg, "org.ops4j.pax.url.mvn.localRepository",
                    new File(work, "m2").getAbsolutePath()),
            editConfigurationFilePut(cfg, "org.ops4j.pax.url.mvn.useFallbackRepositories", "false"),
            // Pax Exam picks free RMI ports itself; not SSH, which a developer's Karaf may hold.
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            // Nor Karaf's own JMX ports (1099, 44444), which another Karaf on the machine may hold.
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(freePort())),
            // The embedded default's storage domain, in the build directory rather than /var/lib.
            editConfigurationFilePut("etc/org.headroom.storage.cfg", "root", new File(work, "storage").getAbsolutePath()),
            // 64 MiB chunks for every test: changing them per test races with SCR re-activating the monitor.
            editConfigurationFilePut("etc/org.headroom.thinextend.cfg", "chunk_mb", "64"),
            editConfigurationFilePut("etc/org.headroom.storage.cfg", "run_dir", new File(work, "run").getAbsolutePath()),
            // The embedded default's lease service (an SPM candidate), at an I/O timeout of 1 s: joined in about 3 s.
            // Its killpath must stay under 127 bytes: a short directory of its own.
            editConfigurationFilePut("etc/org.headroom.lease.cfg", "io_timeout_s", "1"),
            editConfigurationFilePut("etc/org.headroom.lease.cfg", "spm_interval_ms", "500"),
            editConfigurationFilePut("etc/org.headroom.lease.cfg", "run_dir", leaseRunDir().toString()),
            // The hook receiver's socket of this Karaf; the test installs the hook pointing at it.
            editConfigurationFilePut("etc/org.headroom.virt.hook.cfg", "socket", new File(work, "hook.sock").getAbsolutePath()),
            systemProperty(HOOK_SOCKET_PROPERTY).value(new File(work, "hook.sock").getAbsolutePath()),
            systemProperty(PROJECT_PROPERTY).value(new File(System.getProperty(PROJECT_PROPERTY, "..")).getAbsolutePath()),
            systemProperty(STORAGE_PROPERTY).value(new File(work, "storage").getAbsolutePath()),
            systemProperty(QEMU_PROPERTY).value(onPath(System.getProperty(QEMU_PROPERTY, "qemu-system-x86_64"))),
            systemProperty(QEMU_IMG_PROPERTY).value(onPath(System.getProperty(QEMU_IMG_PROPERTY, "qemu-img"))),
            systemProperty(CI_PROPERTY).value(Boolean.toString("true".equalsIgnoreCase(System.getenv("CI")))),
            systemProperty(GUEST_KERNEL_PROPERTY).value(org.headroom.testing.Lab.GUEST_KERNEL.toString()),
            systemProperty(GUEST_INITRD_PROPERTY).value(org.headroom.testing.Lab.GUEST_INITRD.toString()),
            // QMP socket paths must stay under 108 bytes: not under Karaf's data/tmp.
            systemProperty(TMP_PROPERTY).value(System.getProperty("java.io.tmpdir"))));
        if (Boolean.getBoolean("headroom.itest.keep")) {
            options.add(keepRuntimeFolder()); // -Dheadroom.itest.keep=true: look at target/exam/karaf after a failure
        }
        return options.toArray(new Option[0]);
    }

    @Test
    public void headroomFeatureIsInstalledAndItsBundlesAreActive() throws Exception {
        assertTrue("feature headroom is not installed",
                featuresService.isInstalled(featuresService.getFeature("headroom")));
        for (String name : List.of("org.headroom.api", "org.headroom.qmp", "org.headroom.storage", "org.headroom.mailbox",
                "org.headroom.thinextend", "org.headroom.virt", "org.headroom.lease")) {
            Bundle bundle = bundle(name);
            assertEquals(name + " state", Bundle.ACTIVE, bundle.getState());
        }
        assertEquals("qmp", hypervisor.type());
        // Commands register once their bundle's services are there: give them a few seconds.
        List<String> expected = List.of("headroom:vms", "headroom:drives", "headroom:qmp", "headroom:domains",
                "headroom:mailbox", "headroom:volumes", "headroom:extend", "headroom:hooks", "headroom:leases",
                "headroom:jobs", "headroom:spm");
        String commands = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            commands = sessionFactory.getRegistry().getCommands().stream()
                    .map(c -> c.getScope() + ":" + c.getName()).sorted().toList().toString();
            if (expected.stream().allMatch(commands::contains)) {
                break;
            }
            Thread.sleep(200);
        }
        for (String command : expected) {
            assertTrue(command + " missing from:\n" + commands, commands.contains(command));
        }
    }

    @Test
    public void shellCommandsShowAnAttachedQemu() throws Exception {
        Path socket = startQemu();
        String vm = "itest-shell";
        attach(vm, socket);

        String[] drive = awaitDriveRow(vm, "vd0");
        assertEquals("format of " + String.join("|", drive), "qcow2", drive[1]);
        assertEquals("node of " + String.join("|", drive), "f0", drive[2]);
        assertEquals("threshold of " + String.join("|", drive), "-", drive[7]);

        String vms = shell("headroom:vms");
        String vmRow = row(vms, vm);
        assertNotNull("headroom:vms does not list " + vm + ":\n" + vms, vmRow);
        assertTrue(vmRow, vmRow.contains("qmp"));
        assertTrue("a VM started with -S is paused in prelaunch: " + vmRow, vmRow.contains("prelaunch"));

        String status = shell("headroom:qmp " + vm + " query-status");
        assertTrue(status, status.contains("\"status\""));
        assertTrue(status, status.contains("prelaunch"));
    }

    @Test
    public void writeThresholdFiresAndDisarms() throws Exception {
        Path socket = startQemu();
        String vm = "itest-threshold";
        BlockingQueue<DriveEvent> events = new LinkedBlockingQueue<>();
        try (AutoCloseable subscription = hypervisor.subscribe(events::add)) {
            attach(vm, socket);
            awaitDriveRow(vm, "vd0");

            shell("headroom:qmp " + vm + " block-set-write-threshold '{\"node-name\":\"f0\",\"write-threshold\":" + MIB + "}'");
            assertEquals("1.0 MiB", awaitDriveRow(vm, "vd0")[7]);

            // A guest-less write of 4 MiB through the device: the qcow2 grows past 1 MiB on f0.
            String hmp = shell("headroom:qmp " + vm + " human-monitor-command "
                    + "'{\"command-line\":\"qemu-io -d /machine/peripheral/vd0/virtio-backend \\\"write -P 0xab 0 4M\\\"\"}'");
            assertTrue("qemu-io failed: " + hmp, !hmp.contains("failed") && !hmp.contains("rror"));

            DriveEvent.ThresholdCrossed crossed = awaitThresholdCrossed(events, vm, "vd0", 10);
            assertEquals(MIB, crossed.threshold());
            assertTrue("amount exceeded: " + crossed.exceeded(), crossed.exceeded() > 0);
        }
        // One-shot: QEMU disarmed it when it fired.
        String[] drive = awaitDriveRow(vm, "vd0");
        assertEquals("threshold after the event: " + String.join("|", drive), "-", drive[7]);
    }

    /**
     * The whole loop in Karaf: a thin qcow2 on a loop-device volume of the embedded default's
     * domain; a write past the threshold; the volume monitor extends it (this host is the SPM) and
     * headroom:volumes shows the extension.
     */
    @Test
    public void theVolumeMonitorExtendsARealQemusThinDisk() throws Exception {
        requireExecutable("/usr/sbin/losetup", "losetup");

        StorageDomain domain = storageDomains.domains().get(0);
        assertTrue(domain.path().toString(), domain.path().startsWith(System.getProperty(STORAGE_PROPERTY)));
        volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(volume, 64 * MIB);
        Path device = domain.volumes().activate(volume);
        Path socket = startQemu(device.toString(), "host_device", "1G");
        String vm = "itest-extend";
        attach(vm, socket);

        String[] row = awaitVolumeRow(vm, "armed");
        assertEquals("physical MiB: " + String.join("|", row), "64", row[5]);
        assertEquals("threshold MiB (64 MiB less 80 % of a chunk): " + String.join("|", row), "12", row[7]);

        write(vm, "0", "20M");

        row = awaitVolumeRow(vm, "armed", "1");
        assertEquals("physical MiB after one extension: " + String.join("|", row), "128", row[5]);
        assertEquals(128 * MIB, domain.volumes().size(volume));
        String summary = shell("headroom:volumes");
        assertTrue(summary, summary.contains(" extensions, 0 pauses, 0 failures")); // the monitor counts every test's VMs
    }

    /**
     * Hot-swap under load: the test guest writes into a thin disk at a steady rate and another host
     * (host 2, {@code lab/mailbox-tool} in a process of its own) sends extend requests through the
     * mailbox, while the lease, mailbox and thin-extend bundles are updated one after the other
     * (what {@code bundle:update} does). The lease bundle gives the SDM lease up and takes it again
     * (its lockspace stays joined); the mailbox's SPM side stops and starts and serves what is
     * pending; the monitor watches the VM again with its history. Every request of host 2 is
     * answered once, the guest's data reads back intact, and the VM never pauses.
     */
    @Test
    public void theLeaseMailboxAndVolumeMonitorBundlesAreUpdatedWhileAGuestWritesAndAnotherHostAsks() throws Exception {
        requireExecutable("/usr/sbin/losetup", "losetup");
        requireFile(System.getProperty(GUEST_KERNEL_PROPERTY), "the test guest's kernel");
        requireFile(System.getProperty(GUEST_INITRD_PROPERTY), "the test guest's initramfs");
        StorageDomain domain = storageDomains.domains().get(0);
        awaitSpm(domain);
        volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(volume, 64 * MIB);
        // 320 MiB at 8 MiB/s: 40 s of writes, an extension every 8 s, 6 s of headroom each (64 MiB chunks).
        int writeMib = 320;
        Path socket = startQemu(domain.volumes().activate(volume).toString(), "host_device", "1G",
                List.of("-kernel", System.getProperty(GUEST_KERNEL_PROPERTY), "-initrd", System.getProperty(GUEST_INITRD_PROPERTY),
                        "-append", "console=ttyS0 quiet hr.size=" + writeMib + " hr.rate=8 hr.verify=1",
                        "-serial", "file:@WORK@/console.log"));
        String vm = "itest-swap";
        BlockingQueue<DriveEvent> events = new LinkedBlockingQueue<>();
        try (AutoCloseable subscription = hypervisor.subscribe(events::add)) {
            attach(vm, socket);
            awaitVolumeRow(vm, "armed");

            List<VolumeRef> host2Volumes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
                domain.volumes().create(v, 64 * MIB);
                host2Volumes.add(v);
            }
            Path project = Path.of(System.getProperty(PROJECT_PROPERTY));
            host2 = new ProcessBuilder("bash", project.resolve("lab/mailbox-tool").toString(), "host", "--root",
                    System.getProperty(STORAGE_PROPERTY), "--domain", domain.uuid().toString(), "--ids", "2")
                    .redirectError(workDir.resolve("host2.err").toFile()).start();
            List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(host2.getInputStream(),
                    StandardCharsets.UTF_8)).lines().forEach(answers::add), "itest-host2-answers");
            reader.start();

            shell("headroom:qmp " + vm + " cont");
            // Host 2 asks throughout the swaps: every 250 ms a volume 1 MiB larger than it asked before.
            java.util.concurrent.atomic.AtomicBoolean asking = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
            PrintStream toHost2 = new PrintStream(host2.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread asker = new Thread(() -> {
                try {
                    for (int n = 0; asking.get(); n++) {
                        VolumeRef v = host2Volumes.get(n % host2Volumes.size());
                        toHost2.println("2 " + v.volume() + " " + (65 + n / host2Volumes.size()));
                        sent.incrementAndGet();
                        Thread.sleep(250);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    toHost2.close(); // end of input: the tool waits for every answer, then exits
                }
            }, "itest-host2-requests");
            asker.start();

            awaitVolumeRow(vm, "armed", "1");
            bundle("org.headroom.lease").update();
            awaitSpm(domain);
            bundle("org.headroom.mailbox").update();
            awaitSpm(domain);
            bundle("org.headroom.thinextend").update();
            assertEquals(Bundle.ACTIVE, bundle("org.headroom.lease").getState());
            assertEquals(Bundle.ACTIVE, bundle("org.headroom.mailbox").getState());
            assertEquals(Bundle.ACTIVE, bundle("org.headroom.thinextend").getState());
            awaitVolumeRow(vm, "armed");
            Thread.sleep(2_000); // host 2 asks on a little after the last swap
            asking.set(false);
            asker.join(5_000);

            String console = awaitGuestDone(workDir.resolve("console.log"), TimeUnit.MINUTES.toNanos(3));
            assertTrue("the guest wrote everything and read it back intact:\n" + console,
                    console.contains("hr: verify ok") && console.contains("hr: DONE rc=0 wrote=" + writeMib + "MiB"));
            assertTrue("host 2 ended within the request timeout", host2.waitFor(90, TimeUnit.SECONDS));
            reader.join(5_000);
            List<String> ok = answers.stream().filter(a -> a.startsWith("ok ")).toList();
            List<String> failed = answers.stream().filter(a -> a.startsWith("fail ")).toList();
            assertEquals("host 2's failed requests: " + failed, 0, failed.size());
            assertEquals("every request of host 2 answered once: " + answers, sent.get(), ok.size());
            for (int i = 0; i < host2Volumes.size(); i++) {
                int last = (sent.get() - 1 - i) / host2Volumes.size(); // the last n of volume i
                if (last >= 0) {
                    assertEquals("host 2's volume " + i, (65L + last) * MIB, domain.volumes().size(host2Volumes.get(i)));
                }
            }
            String[] row = awaitVolumeRow(vm, "armed");
            assertTrue("extensions ahead of the guest: " + String.join("|", row), Integer.parseInt(row[8]) >= 3);
            assertEquals("pauses of " + String.join("|", row), "0", row[9]);
            List<DriveEvent> pauses = events.stream().filter(e -> e instanceof DriveEvent.Paused || e instanceof DriveEvent.OutOfSpace)
                    .toList();
            assertEquals("QEMU's own word: no pause, no ENOSPC", List.of(), pauses);
        }
    }

    /** Waits until this host holds the SDM lease of {@code domain} and serves the mailbox's SPM side. */
    private void awaitSpm(StorageDomain domain) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String spm = "";
        String mailbox = "";
        while (System.nanoTime() < deadline) {
            spm = shell("headroom:spm");
            mailbox = shell("headroom:mailbox");
            if (spm.contains("Domain " + domain.uuid() + ": this host is the SPM") && mailbox.contains("SPM of hosts")) {
                return;
            }
            Thread.sleep(250);
        }
        fail("this host did not become the SPM of " + domain.uuid() + " within 60 s:\n" + spm + "\n" + mailbox
                + "\n" + shell("headroom:leases"));
    }

    /** The guest's console once it printed "hr: DONE". */
    private static String awaitGuestDone(Path console, long withinNanos) throws Exception {
        long deadline = System.nanoTime() + withinNanos;
        String text = "";
        while (System.nanoTime() < deadline) {
            text = Files.exists(console) ? Files.readString(console, StandardCharsets.UTF_8) : "";
            if (text.contains("hr: DONE")) {
                return text;
            }
            Thread.sleep(250);
        }
        fail("the guest did not finish:\n" + text);
        return text;
    }

    /** A guest-less write through the drive's device, as the guest would write. */
    private void write(String vm, String offset, String length) throws Exception {
        String hmp = shell("headroom:qmp " + vm + " human-monitor-command "
                + "'{\"command-line\":\"qemu-io -d /machine/peripheral/vd0/virtio-backend \\\"write -P 0xcd " + offset + " "
                + length + "\\\"\"}'");
        assertTrue("qemu-io failed: " + hmp, !hmp.contains("failed") && !hmp.contains("rror"));
    }

    /**
     * The same loop through libvirt, as an admin runs it: the hook installed, libvirtd started, a VM
     * defined and started with virsh on a volume's run path. The hook prepares the volume, the
     * libvirt adapter arms the threshold, a write past it is extended, and headroom:vms lists the
     * libvirt VM beside a QMP-attached one.
     */
    @Test
    public void aVmStartedWithVirshIsPreparedByTheHookAndExtendedThroughLibvirt() throws Exception {
        requireExecutable("/usr/sbin/libvirtd", "libvirtd");
        requireExecutable("/usr/bin/virsh", "virsh");
        requireExecutable("/usr/bin/cc", "a C compiler (for the hook)");
        Path project = Path.of(System.getProperty(PROJECT_PROPERTY));
        Path hookFile = Path.of("/etc/libvirt/hooks/qemu");
        hookBefore = Files.exists(hookFile) ? Files.readAllBytes(hookFile) : null;
        hookSaved = true;
        run(List.of(project.resolve("hooks/install.sh").toString(), "--socket", System.getProperty(HOOK_SOCKET_PROPERTY),
                "--force"));
        run(List.of(project.resolve("lab/libvirtd.sh").toString(), "start"));
        libvirtdStarted = true;

        StorageDomain domain = storageDomains.domains().get(0);
        volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(volume, 64 * MIB);
        run(List.of(System.getProperty(QEMU_IMG_PROPERTY), "create", "-q", "-f", "qcow2",
                domain.volumes().activate(volume).toString(), "1G"));
        domain.volumes().deactivate(volume); // the hook's prepare activates it

        libvirtDomain = "itest-libvirt";
        workDir = Files.createTempDirectory(Path.of(System.getProperty(TMP_PROPERTY, "/tmp")), "headroom-it-");
        Path xml = workDir.resolve("domain.xml");
        Files.writeString(xml, "<domain type='qemu'><name>" + libvirtDomain + "</name><memory unit='MiB'>64</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
                + "<disk type='block' device='disk'><driver name='qemu' type='qcow2' cache='none' io='native'"
                + " error_policy='stop'/><source dev='" + storageDomains.runPath(volume) + "'/>"
                + "<target dev='vda' bus='virtio'/></disk><controller type='usb' model='none'/>"
                + "<memballoon model='none'/></devices></domain>");
        run(List.of("virsh", "-c", "qemu:///system", "define", xml.toString()));
        run(List.of("virsh", "-c", "qemu:///system", "start", libvirtDomain));

        String[] row = awaitVolumeRow(libvirtDomain, "armed");
        assertEquals("drive of " + String.join("|", row), "vda", row[1]);
        assertEquals("physical MiB: " + String.join("|", row), "64", row[5]);
        // A guest-less write of 20 MiB through the device, past the threshold at 12 MiB.
        run(List.of("virsh", "-c", "qemu:///system", "qemu-monitor-command", libvirtDomain, "--hmp",
                "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0xcd 0 20M\""));
        row = awaitVolumeRow(libvirtDomain, "armed", "1");
        assertEquals("physical MiB after one extension: " + String.join("|", row), "128", row[5]);
        assertEquals(128 * MIB, domain.volumes().size(volume));

        // Side by side with a VM that Headroom attached by QMP.
        attach("itest-side", startQemu());
        awaitDriveRow("itest-side", "vd0");
        String vms = shell("headroom:vms");
        String libvirtRow = row(vms, libvirtDomain);
        String qmpRow = row(vms, "itest-side");
        assertNotNull(vms, libvirtRow);
        assertNotNull(vms, qmpRow);
        assertTrue(libvirtRow, libvirtRow.matches(".*\\|\\s*libvirt\\s*\\|\\s*running\\s*\\|.*vda qcow2 128\\.0 MiB/1024\\.0 MiB.*"));
        assertTrue(qmpRow, qmpRow.matches(".*\\|\\s*qmp\\s*\\|\\s*paused\\s*\\|\\s*prelaunch.*vd0 qcow2.*"));
        String hooks = shell("headroom:hooks");
        assertTrue(hooks, hooks.contains("prepare: 1") && hooks.contains("started: 1") && hooks.contains("0 refused"));
        assertTrue(hooks, hooks.contains("libvirt: connected"));
        javax.management.ObjectName virt = new javax.management.ObjectName("org.headroom:type=Virt");
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        assertEquals(Boolean.TRUE, jmx.getAttribute(virt, "LibvirtConnected"));
        assertTrue("hook calls over JMX", (Long) jmx.getAttribute(virt, "HookCalls") >= 3);
    }

    /** Detaches Headroom, then kills QEMU and deletes its files: each step also when one before failed. */
    @After
    public void cleanUp() throws Exception {
        try {
            stopLibvirtDomain();
        } finally {
            cleanUpQemuAndConfigurations();
        }
    }

    /** Destroys and undefines the test's libvirt domain, then stops the libvirtd the test started. */
    private void stopLibvirtDomain() throws Exception {
        try {
            if (libvirtDomain != null) {
                String name = libvirtDomain;
                libvirtDomain = null;
                new ProcessBuilder("virsh", "-c", "qemu:///system", "destroy", name).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
                new ProcessBuilder("virsh", "-c", "qemu:///system", "undefine", name).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            try {
                if (libvirtdStarted) {
                    libvirtdStarted = false;
                    run(List.of(Path.of(System.getProperty(PROJECT_PROPERTY)).resolve("lab/libvirtd.sh").toString(), "stop"));
                }
            } finally {
                restoreHook();
            }
        }
    }

    /** Puts back the hook that was there before the test (or none): the host is left as it was found. */
    private void restoreHook() throws IOException {
        if (!hookSaved) {
            return;
        }
        hookSaved = false;
        Path hookFile = Path.of("/etc/libvirt/hooks/qemu");
        if (hookBefore == null) {
            Files.deleteIfExists(hookFile);
        } else {
            Files.write(hookFile, hookBefore);
            hookFile.toFile().setExecutable(true, false);
        }
    }

    private void cleanUpQemuAndConfigurations() throws Exception {
        try {
            if (vmConfiguration != null) {
                org.osgi.service.cm.Configuration c = vmConfiguration;
                vmConfiguration = null;
                c.delete();
            }
        } finally {
            try {
                if (host2 != null) {
                    Process p = host2;
                    host2 = null;
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
                stopQemu();
                if (volume != null) {
                    VolumeRef v = volume;
                    volume = null;
                    storageDomains.domain(v.domain()).orElseThrow().volumes().deactivate(v);
                }
            } finally {
                if (workDir != null) {
                    Path dir = workDir;
                    workDir = null;
                    try (Stream<Path> files = Files.walk(dir)) {
                        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- QEMU

    /** QEMU paused before it runs (-S), one qcow2 drive vd0 (format node q0 over file node f0). */
    private Path startQemu() throws Exception {
        return startQemu(null, "file", "64M");
    }

    /** The same on {@code volume} (a file or device), or on a new file when null. */
    private Path startQemu(String volume, String driver, String capacity) throws Exception {
        return startQemu(volume, driver, capacity, List.of());
    }

    /** The same with more arguments for QEMU (a guest kernel to run, say). */
    private Path startQemu(String volume, String driver, String capacity, List<String> more) throws Exception {
        String qemuBinary = System.getProperty(QEMU_PROPERTY, "");
        String qemuImg = System.getProperty(QEMU_IMG_PROPERTY, "");
        requireExecutable(qemuBinary, "qemu-system-x86_64");
        requireExecutable(qemuImg, "qemu-img");

        workDir = Files.createTempDirectory(Path.of(System.getProperty(TMP_PROPERTY, "/tmp")), "headroom-it-");
        String disk = volume != null ? volume : workDir.resolve("vd0.qcow2").toString();
        Path socket = workDir.resolve("qmp.sock");
        Path log = workDir.resolve("qemu.log");
        run(List.of(qemuImg, "create", "-q", "-f", "qcow2", disk, capacity));

        List<String> command = new ArrayList<>(List.of(qemuBinary, "-nodefaults", "-display", "none",
                "-machine", "q35", "-accel", "tcg", "-m", more.isEmpty() ? "64" : "256", "-S",
                "-qmp", "unix:" + socket + ",server=on,wait=off",
                "-blockdev", "driver=" + driver + ",filename=" + disk + ",node-name=f0",
                "-blockdev", "driver=qcow2,file=f0,node-name=q0",
                // A write that finds no space pauses the VM (and says so), rather than failing in the guest.
                "-device", "virtio-blk-pci,drive=q0,id=vd0,werror=enospc,rerror=report"));
        Path work = workDir;
        more.stream().map(arg -> arg.replace("@WORK@", work.toString())).forEach(command::add);
        qemu = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Should Karaf be stopped before @After runs, QEMU still goes.
        Process started = qemu;
        qemuKiller = new Thread(started::destroyForcibly, "itest-kill-qemu-" + started.pid());
        Runtime.getRuntime().addShutdownHook(qemuKiller);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            if (!qemu.isAlive() || System.nanoTime() > deadline) {
                fail("QEMU did not open its QMP socket " + socket + ": " + Files.readString(log).strip());
            }
            Thread.sleep(20);
        }
        return socket;
    }

    /** SIGTERM, then SIGKILL after 5 s, by the Process handle: never by name. */
    private void stopQemu() throws InterruptedException {
        Process p = qemu;
        if (p == null) {
            return;
        }
        qemu = null;
        try {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly(); // interrupted while waiting
            }
            try {
                Runtime.getRuntime().removeShutdownHook(qemuKiller);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
            qemuKiller = null;
        }
        assertTrue("QEMU " + p.pid() + " survived SIGKILL", !p.isAlive());
    }

    /** On a developer's machine a missing QEMU skips the test; with CI=true it fails it. */
    private static void requireExecutable(String path, String what) {
        require(!path.isEmpty() && Files.isExecutable(Path.of(path)), path, what);
    }

    private static void requireFile(String path, String what) {
        require(path != null && !path.isEmpty() && Files.isRegularFile(Path.of(path)), path == null ? "" : path, what);
    }

    private static void require(boolean there, String path, String what) {
        if (there) {
            return;
        }
        String why = what + " is not installed (" + (path.isEmpty() ? "not on PATH" : path) + "): run lab/install.sh";
        if (Boolean.getBoolean(CI_PROPERTY)) {
            fail("CI=true, yet " + why);
        }
        // Pax Exam runs this method through JUnit inside Karaf, where a failed assumption counts as a
        // pass. Thrown as the cause of a failure it reaches the test JVM, whose runner unwinds the
        // failure to its root cause and reports the test as skipped.
        throw new AssertionError(why, new AssumptionViolatedException(why));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " failed: " + out.strip());
        }
    }

    // ---------------------------------------------------------------- Headroom

    /** The factory configuration a user would put in etc/org.headroom.qmp.vm-NAME.cfg. */
    private void attach(String vm, Path socket) throws IOException {
        vmConfiguration = configurationAdmin.getFactoryConfiguration("org.headroom.qmp.vm", vm, "?");
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("name", vm);
        properties.put("socket", socket.toString());
        vmConfiguration.update(properties);
    }

    /**
     * The row of headroom:drives for that drive, split into its columns (Drive, Format, Node, Path,
     * Capacity, Physical, Allocation, Threshold, IO). The connection is made in the background:
     * retried for 10 s.
     */
    private String[] awaitDriveRow(String vm, String drive) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last;
        while (true) {
            try {
                last = shell("headroom:drives " + vm);
                String row = row(last, drive);
                if (row != null) {
                    String[] columns = row.split("\\|");
                    for (int i = 0; i < columns.length; i++) {
                        columns[i] = columns[i].trim();
                    }
                    assertEquals("columns of " + row, 9, columns.length);
                    return columns;
                }
            } catch (ExecutionException e) {
                last = String.valueOf(e.getCause());
            }
            if (System.nanoTime() > deadline) {
                fail("headroom:drives " + vm + " shows no drive " + drive + " within 10 s; last:\n" + last
                        + "\nheadroom:vms:\n" + shell("headroom:vms"));
            }
            Thread.sleep(200);
        }
    }

    /**
     * The row of headroom:volumes for {@code vm} (VM, Drive, Volume, State, Capacity, Physical,
     * Allocation, Threshold, Extensions, ...) once it is in {@code state} with {@code extensions}
     * extensions (any when null); retried for 20 s.
     */
    private String[] awaitVolumeRow(String vm, String state, String... extensions) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String table = "";
        while (System.nanoTime() < deadline) {
            table = shell("headroom:volumes");
            String line = row(table, vm);
            if (line != null) {
                String[] cells = line.split("\\|");
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim();
                }
                if (cells.length > 8 && cells[3].equals(state)
                        && (extensions.length == 0 || cells[8].equals(extensions[0]))) {
                    return cells;
                }
            }
            Thread.sleep(200);
        }
        fail("headroom:volumes never showed " + vm + " " + state + " " + String.join(",", extensions) + ":\n" + table);
        return null;
    }

    private static DriveEvent.ThresholdCrossed awaitThresholdCrossed(BlockingQueue<DriveEvent> events, String vm,
                                                                     String drive, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<DriveEvent> seen = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            DriveEvent event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (event == null) {
                fail("no ThresholdCrossed for " + vm + "/" + drive + " within " + seconds + " s; events: " + seen);
            }
            seen.add(event);
            if (event instanceof DriveEvent.ThresholdCrossed crossed
                    && crossed.vm().equals(vm) && crossed.drive().drive().equals(drive)) {
                return crossed;
            }
        }
    }

    /** The first line of a shell table whose first column is exactly {@code key}, or null. */
    private static String row(String table, String key) {
        for (String line : table.split("\\R")) {
            int bar = line.indexOf('|');
            if (bar > 0 && line.substring(0, bar).trim().equals(key)) {
                return line;
            }
        }
        return null;
    }

    /**
     * Runs a command line in a new shell session, as `bin/client` would, and returns what it
     * printed (and its result, if any). A command that fails throws ExecutionException.
     */
    private String shell(String commandLine) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "itest-shell"));
        try (Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out)) {
            Future<Object> result = executor.submit(() -> session.execute(commandLine));
            Object value;
            try {
                value = result.get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                result.cancel(true);
                throw new AssertionError("`" + commandLine + "` still running after 60 s; printed:\n" + bytes, e);
            }
            if (value != null) {
                out.println(value);
            }
        } finally {
            executor.shutdownNow();
        }
        out.flush();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.println("karaf> " + commandLine + "\n" + printed);
        return printed;
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName + " installed");
    }

    // ---------------------------------------------------------------- test JVM side (config())

    /**
     * The distribution's featuresBoot with its last stage in parentheses. Karaf's first boot
     * deployment refreshes the features service itself (startup bundles gain wirings), which runs
     * the boot installer again; were Pax Exam's features (its remote bundle context) in that first
     * deployment, Pax Exam could install its probe while the second run's resolver hook is in
     * force ("Resolver hook prevented resolution", seen once in four runs). In a stage of their own
     * after ours, they are installed once everything else is.
     */
    private static String stagedFeaturesBoot(File distribution) throws IOException, InterruptedException {
        String cfg = org.headroom.testing.Lab.run(List.of("tar", "-xzOf", distribution.getAbsolutePath(), "--wildcards",
                "*/etc/org.apache.karaf.features.cfg"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^featuresBoot\\s*=\\s*((?:.*\\\\\\R)*.*)$").matcher(cfg);
        if (!m.find()) {
            throw new IllegalStateException("no featuresBoot in the distribution's org.apache.karaf.features.cfg:\n" + cfg);
        }
        String value = m.group(1).replaceAll("\\\\\\R\\s*", " ").trim();
        int lastStage = value.lastIndexOf(')');
        String rest = value.substring(lastStage + 1).replaceFirst("^\\s*,\\s*", "").trim();
        return rest.isEmpty() ? value : value.substring(0, lastStage + 1) + ", (" + rest + ")";
    }

    /** A short directory for the lease service's killpath, removed when this JVM exits. */
    private static Path leaseRunDir() throws IOException {
        Path dir = Files.createTempDirectory("hr-itest-lease-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("removing " + dir + ": " + e);
            }
        }, "itest-remove-lease-dir"));
        return dir;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException(property + " is not set: run the itests through Maven (mvn verify)");
        }
        return value;
    }

    /** An absolute path for a program name (looked up on PATH), the path itself if absolute, or "". */
    private static String onPath(String program) {
        if (program.contains("/")) {
            return program;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
