package org.headroom.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.headroom.api.jobs.JobState;
import org.headroom.api.jobs.JobStatus;
import org.headroom.api.lease.LeaseRef;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeRef;
import org.headroom.lease.internal.SanlockJobs;
import org.headroom.lease.internal.SanlockLeases;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.Disk;
import org.headroom.lease.sanlock.Registration;
import org.headroom.lease.sanlock.Resource;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.SanlockDaemon;

/**
 * What a storage job costs over the lease it runs under, against a real sanlock daemon (its own,
 * started here; SANLOCK_RUN_DIR set by bench/run-lease.sh):
 * {@code job}: a no-op job (volume lease, generation check, record RUNNING, ILLEGAL, LEGAL at GEN+1,
 * record DONE, release) against a bare acquire and release of the same lease, alternating, with
 * their ratio (goal ≤ 1.5×). Each metadata and record write is one direct write of a block.
 */
public final class LeaseBenchmark {
    private static final String[][] KEYS = BenchOptions.keys("job", new String[][] {
            // key, full, quick, meaning
            {"runs", "200", "30", "jobs and bare acquires each"},
            {"io-timeout", "10", "10", "sanlock's I/O timeout, s (VDSM's 10; it bounds calls, not their speed)"},
    });

    private LeaseBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions config = BenchOptions.parseOrExit("LeaseBenchmark", args, KEYS, "lease");
        if (config == null) {
            return;
        }
        System.out.printf("lease benchmark: %s, load %s%n", config.all(), BenchSupport.loadAverage());
        Path root = Path.of(config.get("root"));
        Files.createDirectories(root);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("config", config.all());
        results.put("environment", BenchSupport.environment(root, Files.getFileStore(root).type()));
        Path work = Files.createTempDirectory(root, "headroom-lease-bench-");
        Path agent = Files.createTempDirectory("hr-bench-agent-");
        int io = config.integer("io-timeout");
        ExecutorService workers = Executors.newFixedThreadPool(1);
        try (SanlockDaemon daemon = SanlockDaemon.startForThisProcess("bench-host1");
             Sanlock sanlock = Sanlock.open(CallBounds.forIoTimeout(io));
             ThreadScheduler watcher = ThreadScheduler.create("leases", 1, 16)) {
            FileStorageDomain domain = FileStorageDomain.create(work.resolve("storage"), UUID.randomUUID(), "file");
            DomainSet storage = DomainSet.of(work.resolve("run"), domain);
            VolumeRef volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
            domain.volumes().create(volume, 64L << 20);
            domain.writeMetadata(volume, VolumeMetadata.created(volume, VolumeMetadata.BLANK, 64L << 20,
                    VolumeMetadata.Format.RAW, VolumeMetadata.Allocation.SPARSE, "", 0).withLegality(VolumeMetadata.Legality.LEGAL));
            try (SanlockLeases leases = new SanlockLeases(sanlock, 1, storage, io, watcher, agent)) {
                leases.start();
                long t0 = System.nanoTime();
                leases.awaitJoined(domain.uuid(), Duration.ofSeconds(20L * io));
                System.out.printf("lockspace joined in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                SanlockJobs jobs = new SanlockJobs(leases, storage, 1, workers, System::currentTimeMillis);
                LeaseRef ref = leases.volumeLease(volume);
                leases.acquire(ref).close(); // formats the lease area
                Resource bare = Resource.of(ref.domain().toString(), ref.name(), new Disk(ref.path().toString(), ref.offset()));
                try (Registration reg = sanlock.register("bench-bare")) {
                    List<Double> acquires = new ArrayList<>();
                    List<Double> noOpJobs = new ArrayList<>();
                    int runs = config.integer("runs");
                    for (int i = -3; i < runs; i++) { // three of each to warm up
                        long a = System.nanoTime();
                        reg.acquire(bare);
                        reg.release(bare);
                        double acquire = (System.nanoTime() - a) / 1e6;
                        int generation = domain.metadata(volume).generation();
                        long j = System.nanoTime();
                        JobStatus s = jobs.start(UUID.randomUUID(), "noop", volume, generation, progress -> { })
                                .done().toCompletableFuture().get(60, TimeUnit.SECONDS);
                        double job = (System.nanoTime() - j) / 1e6;
                        if (s.state() != JobState.DONE) {
                            throw new IllegalStateException("a no-op job ended " + s);
                        }
                        if (i >= 0) {
                            acquires.add(acquire);
                            noOpJobs.add(job);
                        }
                    }
                    Map<String, Object> job = new LinkedHashMap<>();
                    Map<String, Object> bareSummary = BenchSupport.summary(acquires);
                    Map<String, Object> jobSummary = BenchSupport.summary(noOpJobs);
                    job.put("bare acquire + release", bareSummary);
                    job.put("no-op storage job", jobSummary);
                    double ratio = (double) jobSummary.get("p50_ms") / (double) bareSummary.get("p50_ms");
                    job.put("ratio p50", BenchSupport.round(ratio));
                    results.put("job", job);
                    System.out.printf("%n== job: %d runs each, alternating (ms)%n", runs);
                    job.forEach((name, v) -> System.out.printf("  %-28s %s%n", name, v));
                    System.out.printf("a no-op job costs %.2fx a bare acquire + release (medians; goal <= 1.5x)%n", ratio);
                }
            }
            if (!config.get("json").isEmpty()) {
                BenchSupport.writeJson(Path.of(config.get("json")), results);
            }
        } finally {
            workers.shutdownNow();
            BenchSupport.deleteTree(work);
            BenchSupport.deleteTree(agent);
        }
    }
}
