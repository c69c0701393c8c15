package org.headroom.lease.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.headroom.api.jobs.JobException;
import org.headroom.api.jobs.JobState;
import org.headroom.api.jobs.JobStatus;
import org.headroom.api.jobs.StorageJobs;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeRef;
import org.headroom.lease.command.JobsCommand;
import org.headroom.lease.command.LeasesCommand;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.HostProcess;
import org.headroom.lease.sanlock.LeaseFixtures;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.CreatedVolume;
import org.headroom.storage.DomainSet;
import org.headroom.storage.internal.ProcessCommandRunner;
import org.headroom.storage.internal.VolumeCreation;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Closer;
import org.headroom.testing.Lab;
import org.headroom.testing.SanlockDaemon;
import org.headroom.testing.Stdout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Storage jobs on two hosts, each with its own sanlock daemon: host 1 is this JVM, host 2 a JVM of
 * its own ({@link JobsHostMain}). One file domain, one volume; everything they know of each other's
 * jobs they read from storage.
 */
class StorageJobsIT {
    private static final int IO = 1;

    private final Closer toClose = new Closer();
    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private Path root;
    private FileStorageDomain domain;
    private VolumeRef volume;
    private SanlockLeases leases;
    private StorageJobs jobs;
    private SanlockDaemon daemon2;
    private HostProcess host2;

    @BeforeEach
    void twoHostsJoined(org.junit.jupiter.api.TestInfo test) throws Exception {
        root = LeaseFixtures.fresh(Path.of("target/jobs-it", test.getTestMethod().orElseThrow().getName()));
        domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(volume, 64L << 20);
        domain.writeMetadata(volume, VolumeMetadata.created(volume, VolumeMetadata.BLANK, 64L << 20, VolumeMetadata.Format.RAW,
                VolumeMetadata.Allocation.SPARSE, "", 0).withLegality(VolumeMetadata.Legality.LEGAL));

        closing(SanlockDaemon.startForThisProcess("host1"));
        startHost2();
        Sanlock sanlock = closing(Sanlock.open(CallBounds.forIoTimeout(IO)));
        ThreadScheduler scheduler = closing(ThreadScheduler.create("leases", 1, 64));
        leases = closing(new SanlockLeases(sanlock, 1, DomainSet.of(root.resolve("run-1"), domain), IO, scheduler,
                agentDir("1")));
        leases.start();
        jobs = new SanlockJobs(leases, DomainSet.of(root.resolve("run-1"), domain), 1, workers, System::currentTimeMillis);
        CompletableFuture<String> joined2 = CompletableFuture.supplyAsync(() -> host2.call("joined"));
        leases.awaitJoined(domain.uuid(), Duration.ofSeconds(30));
        joined2.get(40, TimeUnit.SECONDS);
    }

    private void startHost2() throws Exception {
        daemon2 = closing(SanlockDaemon.start(Path.of("target/sanlock/host2"), "host2"));
        host2 = closing(HostProcess.start("host2", daemon2, root.resolve("host2-" + System.nanoTime() + ".log"),
                JobsHostMain.class, root.toString(), domain.uuid().toString(), "2", Integer.toString(IO),
                agentDir("2").toString()));
    }

    private Path agentDir(String host) throws java.io.IOException {
        return AgentFixtures.agentDir(toClose, host);
    }

    @AfterEach
    void cleanUp() throws Exception {
        workers.shutdownNow();
        toClose.close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        return toClose.add(c);
    }

    private String args(UUID job) {
        return job + " " + volume.image() + " " + volume.volume();
    }

    @Test
    void twoHostsRaceAJobOnOneVolumeAndExactlyOneRunsThenAStaleGenerationIsRefused() throws Exception {
        UUID job1 = UUID.randomUUID();
        UUID job2 = UUID.randomUUID();
        CompletableFuture<String> onHost2 = CompletableFuture.supplyAsync(() -> {
            try {
                host2.call("start " + args(job2) + " 0 1500");
                return "started";
            } catch (HostProcess.Failed e) {
                return e.getMessage();
            }
        });
        String onHost1;
        StorageJobs.Started started1 = null;
        try {
            started1 = jobs.start(job1, "test", volume, 0, progress -> Thread.sleep(1500));
            onHost1 = "started";
        } catch (JobException e) {
            onHost1 = e.getMessage();
        }
        String second = onHost2.get(40, TimeUnit.SECONDS);
        assertThat(List.of(onHost1, second)).as("host 1, host 2").filteredOn("started"::equals).hasSize(1);
        String refusal = onHost1.equals("started") ? second : onHost1;
        assertThat(refusal).containsAnyOf("held by host", "generation 1, not 0");

        UUID winner = started1 != null ? job1 : job2;
        UUID loser = started1 != null ? job2 : job1;
        if (started1 != null) {
            assertThat(started1.done().toCompletableFuture().get(30, TimeUnit.SECONDS).state()).isEqualTo(JobState.DONE);
        } else {
            assertThat(host2.call("wait " + winner)).isEqualTo("DONE");
        }
        assertThat(domain.metadata(volume).generation()).isEqualTo(1);
        assertThat(domain.metadata(volume).legality()).isEqualTo(VolumeMetadata.Legality.LEGAL);
        // Either host reads either job from storage alone.
        assertThat(jobs.status(winner, volume).state()).isEqualTo(JobState.DONE);
        assertThat(host2.call("status " + args(winner))).startsWith("DONE");
        assertThat(jobs.status(loser, volume).state()).isEqualTo(JobState.NEVER_RAN);
        assertThat(host2.call("status " + args(loser))).startsWith("NEVER_RAN");

        // A job that expects the old generation is refused, on both hosts, and changes nothing.
        assertThatThrownBy(() -> jobs.start(UUID.randomUUID(), "test", volume, 0, progress -> { }))
                .isInstanceOf(JobException.class).hasMessageContaining("generation 1, not 0");
        assertThatThrownBy(() -> host2.call("start " + args(UUID.randomUUID()) + " 0 100"))
                .hasMessageContaining("generation 1, not 0");
        assertThat(domain.metadata(volume).generation()).isEqualTo(1);
        assertThat(domain.metadata(volume).legality()).isEqualTo(VolumeMetadata.Legality.LEGAL);
        UUID third = UUID.randomUUID();
        assertThat(jobs.start(third, "test", volume, 1, progress -> { }).done().toCompletableFuture()
                .get(30, TimeUnit.SECONDS).state()).isEqualTo(JobState.DONE);
        assertThat(domain.metadata(volume).generation()).isEqualTo(2);

        // What the admin sees: the last job of the volume, and both hosts live in the lockspace.
        assertThat(shell(new JobsCommand(), "jobs", jobs, "storage", DomainSet.of(root.resolve("run-1"), domain)))
                .contains(volume.volume().toString(), third.toString(), "DONE");
        // (host 1's daemon learns of host 2 when it reads the delta leases, at one of its renewals)
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String leasesShown = shell(new LeasesCommand(), "leases", leases);
        while (leasesShown.lines().filter(l -> l.matches("\\s*[12] \\| LIVE .*")).count() < 2 && System.nanoTime() < end) {
            Thread.sleep(200);
            leasesShown = shell(new LeasesCommand(), "leases", leases);
        }
        assertThat(leasesShown).contains("Lockspace " + domain.uuid() + ": JOINED as host 1");
        org.headroom.lease.management.Leases mbean = inject(new org.headroom.lease.management.Leases(), "leases", leases,
                "jobs", jobs, "storage", DomainSet.of(root.resolve("run-1"), domain));
        assertThat(mbean.getLastJobs()).containsExactly(volume.volume() + " " + third + " test DONE host 1");
        assertThat(mbean.getLockspacesJoined()).isEqualTo(1);
        assertThat(mbean.getLockspaces()).containsExactly(domain.uuid() + " JOINED");
        assertThat(leasesShown.lines().filter(l -> l.matches("\\s*[12] \\| LIVE .*"))).as(leasesShown).hasSize(2);
    }

    /** Runs a shell command with its references set as Karaf would, and returns what it printed. */
    private static String shell(org.apache.karaf.shell.api.action.Action command, Object... references) throws Exception {
        inject(command, references);
        return Stdout.of(command::execute);
    }

    /** Sets a component's references (field name, value, ...) as DS or Karaf would. */
    private static <T> T inject(T component, Object... references) throws Exception {
        for (int i = 0; i < references.length; i += 2) {
            java.lang.reflect.Field f = component.getClass().getDeclaredField((String) references[i]);
            f.setAccessible(true);
            f.set(component, references[i + 1]);
        }
        return component;
    }

    @Test
    void aVolumeCreatedOnTheSpmIsFormattedByAJobWhoseOutcomeAnyHostReads() throws Exception {
        Lab.require(Lab.QEMU_IMG);
        org.headroom.api.spm.SpmRole spm = org.headroom.testing.FixedSpmRole.thisHost(1);
        VolumeCreation creation = new VolumeCreation(DomainSet.of(root.resolve("run-1"), domain),
                new ProcessCommandRunner(ProcessCommandRunner.DEFAULT_TIMEOUT), spm, jobs);
        CreatedVolume created = creation.create(domain.uuid(), 1L << 30, "qcow2", 64L << 20);
        VolumeRef v = created.volume();
        assertThat(domain.metadata(v).legality()).isEqualTo(VolumeMetadata.Legality.LEGAL);
        assertThat(domain.metadata(v).generation()).as("the job's GEN+1").isEqualTo(1);
        JobStatus last = jobs.latest(v).orElseThrow();
        assertThat(last.type()).isEqualTo("create-volume");
        assertThat(last.state()).isEqualTo(JobState.DONE);
        assertThat(host2.call("status " + last.job() + " " + v.image() + " " + v.volume())).startsWith("DONE");
        assertThat(Lab.run(Lab.QEMU_IMG, "info", domain.path().resolve("images").resolve(v.image().toString())
                .resolve(v.volume().toString()).toString())).contains("file format: qcow2", "virtual size: 1 GiB");
    }

    @Test
    void aJobWhoseHostIsKilledReadsBackInterruptedAndReconnaissanceFencesTheStaleJob() throws Exception {
        UUID job = UUID.randomUUID();
        host2.call("start " + args(job) + " 0 60000");
        JobStatus running = await(() -> jobs.status(job, volume), s -> s.stage().startsWith("step"), Duration.ofSeconds(10));
        assertThat(running.state()).isEqualTo(JobState.RUNNING);
        assertThat(running.hostId()).isEqualTo(2);
        assertThat(domain.metadata(volume).legality()).isEqualTo(VolumeMetadata.Legality.ILLEGAL);
        assertThatThrownBy(() -> jobs.reconnoiter(volume)).hasMessageContaining("held by host 2");

        // Host 2 dies where it stands: its daemon first (its agent alone dying would be seen by the
        // daemon, which then releases the lease at once), then its agent, SIGKILL both.
        daemon2.close();
        host2.kill();
        // While nobody can tell whether host 2 lives, its job is running as far as storage says.
        assertThat(jobs.status(job, volume).state()).isEqualTo(JobState.RUNNING);

        // Host 2 comes back (same host name: sanlock's fast re-join, a new generation of host 2):
        // its old life's lease is over, and storage says the job was interrupted.
        startHost2();
        host2.call("joined");
        JobStatus interrupted = await(() -> jobs.status(job, volume), s -> s.state() != JobState.RUNNING,
                Duration.ofSeconds(20));
        assertThat(interrupted.state()).isEqualTo(JobState.INTERRUPTED);
        assertThat(interrupted.error()).contains("host 2");

        JobStatus resolved = jobs.reconnoiter(volume);
        assertThat(resolved.job()).isEqualTo(job);
        assertThat(resolved.state()).isEqualTo(JobState.INTERRUPTED);
        assertThat(resolved.error()).contains("fenced by host 1");
        assertThat(domain.metadata(volume).generation()).as("bumped by reconnaissance").isEqualTo(1);
        assertThat(domain.metadata(volume).legality()).isEqualTo(VolumeMetadata.Legality.ILLEGAL);
        assertThat(host2.call("status " + args(job))).startsWith("INTERRUPTED");

        // The stale job, should it come back with what it knew, fails its own check.
        assertThatThrownBy(() -> host2.call("start " + args(UUID.randomUUID()) + " 0 100"))
                .hasMessageContaining("generation 1, not 0");
    }

    private static JobStatus await(Supplier<JobStatus> read, java.util.function.Predicate<JobStatus> until, Duration within)
            throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        JobStatus s = read.get();
        while (!until.test(s)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("still " + s + " after " + within);
            }
            Thread.sleep(100);
            s = read.get();
        }
        return s;
    }
}
