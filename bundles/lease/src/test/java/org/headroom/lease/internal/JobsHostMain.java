package org.headroom.lease.internal;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.headroom.api.jobs.JobStatus;
import org.headroom.api.jobs.StorageJobs;
import org.headroom.api.storage.VolumeRef;

/**
 * Another host for the storage jobs' tests: the lease service and the jobs over its own sanlock
 * daemon, in a JVM of its own, driven line by line over stdin (one {@code ok ...} or
 * {@code err <class> <message>} line back per command).
 *
 * <pre>
 * args: DOMAIN_ROOT DOMAIN_UUID HOST_ID IO_TIMEOUT AGENT_DIR (short: sanlock takes a killpath of 127 bytes)
 * joined                          waits until the domain's lockspace is joined
 * start JOB IMAGE VOLUME GEN MS   a job whose work reports progress every 100 ms for MS ms
 * wait JOB                        waits for that job's end: its state
 * status JOB IMAGE VOLUME         the job as storage tells it
 * </pre>
 */
public final class JobsHostMain {
    private JobsHostMain() {
    }

    public static void main(String[] args) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(2);
        Map<UUID, StorageJobs.Started> started = new ConcurrentHashMap<>();
        try (HostAgent agent = HostAgent.start(args)) {
            StorageJobs jobs = new SanlockJobs(agent.leases, agent.storage, agent.hostId, workers, System::currentTimeMillis);
            UUID domain = agent.domain;
            agent.serve(w -> switch (w[0]) {
                case "start" -> {
                    UUID job = UUID.fromString(w[1]);
                    long millis = Long.parseLong(w[5]);
                    started.put(job, jobs.start(job, "test", ref(domain, w[2], w[3]), Integer.parseInt(w[4]), progress -> {
                        for (long t = 0; t < millis; t += 100) {
                            progress.report("step " + t / 100, (int) (100 * t / millis));
                            Thread.sleep(100);
                        }
                    }));
                    yield "";
                }
                case "wait" -> started.get(UUID.fromString(w[1])).done().toCompletableFuture().get(60, TimeUnit.SECONDS)
                        .state().name();
                case "status" -> text(jobs.status(UUID.fromString(w[1]), ref(domain, w[2], w[3])));
                default -> throw new IllegalArgumentException("unknown command " + w[0]);
            });
        } finally {
            workers.shutdownNow();
        }
    }

    static VolumeRef ref(UUID domain, String image, String volume) {
        return new VolumeRef(domain, UUID.fromString(image), UUID.fromString(volume));
    }

    static String text(JobStatus s) {
        return s.state() + " host=" + s.hostId() + " gen=" + s.generation() + " stage=" + s.stage().replace(' ', '_');
    }
}
