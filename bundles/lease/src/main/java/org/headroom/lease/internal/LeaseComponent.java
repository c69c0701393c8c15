package org.headroom.lease.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.headroom.api.jobs.JobStatus;
import org.headroom.api.jobs.JobWork;
import org.headroom.api.jobs.StorageJobs;
import org.headroom.api.lease.HeldLease;
import org.headroom.api.lease.LeaseOwner;
import org.headroom.api.lease.LeaseRef;
import org.headroom.api.lease.LeaseService;
import org.headroom.api.lease.LockspaceStatus;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.runtime.ThreadScheduler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease service and the storage jobs of this host, over the sanlock daemon of the host
 * ({@code SANLOCK_RUN_DIR}, by default {@code /run/sanlock}). Stopping it gives every lease up and
 * leaves the lockspaces cleanly, so that other hosts may take its leases at once.
 */
@Component(configurationPid = "org.headroom.lease", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {LeaseService.class, StorageJobs.class})
@Designate(ocd = LeaseConfig.class)
public class LeaseComponent implements LeaseService, StorageJobs {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseComponent.class);
    /** Watches of the leases, and little else: a queue of a few is plenty. */
    private static final int WATCH_QUEUE = 16;

    @Reference
    StorageDomains storage;

    private Sanlock sanlock;
    private ThreadScheduler watcher;
    private ThreadScheduler workers;
    private SanlockLeases leases;
    private SanlockJobs jobs;

    @Activate
    void activate(LeaseConfig config) throws IOException {
        try {
            sanlock = Sanlock.open(CallBounds.forIoTimeout(config.io__timeout__s()));
            watcher = ThreadScheduler.create("leases", 1, WATCH_QUEUE);
            workers = ThreadScheduler.create("storage-jobs", config.job__workers(), 64);
            leases = new SanlockLeases(sanlock, config.host__id(), storage, config.io__timeout__s(), watcher,
                    Path.of(config.run__dir()));
            leases.start();
            jobs = new SanlockJobs(leases, storage, config.host__id(), workers, System::currentTimeMillis);
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("leases: activation failed ({}); stopping what had started", e.toString());
            deactivate();
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        if (leases != null) {
            leases.close();
            leases = null;
        }
        jobs = null;
        for (ThreadScheduler s : new ThreadScheduler[] {watcher, workers}) {
            if (s != null) {
                s.close();
            }
        }
        watcher = workers = null;
        if (sanlock != null) {
            try {
                sanlock.close();
            } catch (Exception e) {
                LOG.warn("leases: closing the sanlock binding: {}", e.toString());
            }
            sanlock = null;
        }
    }

    @Override
    public int hostId() {
        return leases.hostId();
    }

    @Override
    public List<UUID> domains() {
        return leases.domains();
    }

    @Override
    public List<LeaseRef> held() {
        return leases.held();
    }

    @Override
    public LockspaceStatus lockspace(UUID domain) {
        return leases.lockspace(domain);
    }

    @Override
    public LeaseRef sdmLease(UUID domain) {
        return leases.sdmLease(domain);
    }

    @Override
    public LeaseRef volumeLease(VolumeRef volume) {
        return leases.volumeLease(volume);
    }

    @Override
    public HeldLease acquire(LeaseRef lease) {
        return leases.acquire(lease);
    }

    @Override
    public Optional<LeaseOwner> owner(LeaseRef lease) {
        return leases.owner(lease);
    }

    @Override
    public AutoCloseable onLeaseLost(LeaseLostListener listener) {
        return leases.onLeaseLost(listener);
    }

    @Override
    public Started start(UUID job, String type, VolumeRef volume, int expectedGeneration, JobWork work) {
        return jobs.start(job, type, volume, expectedGeneration, work);
    }

    @Override
    public JobStatus status(UUID job, VolumeRef volume) {
        return jobs.status(job, volume);
    }

    @Override
    public Optional<JobStatus> latest(VolumeRef volume) {
        return jobs.latest(volume);
    }

    @Override
    public JobStatus reconnoiter(VolumeRef volume) {
        return jobs.reconnoiter(volume);
    }
}
