package org.headroom.lease.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.headroom.api.jobs.JobException;
import org.headroom.api.jobs.JobStatus;
import org.headroom.api.jobs.JobWork;
import org.headroom.api.jobs.StorageJobs;
import org.headroom.api.lease.HeldLease;
import org.headroom.api.lease.LeaseException;
import org.headroom.api.lease.LeaseHeldException;
import org.headroom.api.lease.LeaseOwner;
import org.headroom.api.lease.LeaseService;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeRef;
import org.headroom.lease.jobs.JobOutcome;
import org.headroom.lease.jobs.JobRecord;
import org.headroom.lease.jobs.JobRecordCodec;
import org.headroom.storage.DirectFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage jobs under volume leases. A job's steps, each one write to shared storage, in an order
 * that leaves the outcome readable whatever the moment its host died ({@link JobOutcome}):
 * lease → generation check → record RUNNING ({@code <volume>.job}) → metadata ILLEGAL → the work
 * (progress recorded) → the lease and the generation checked again → metadata LEGAL at GEN+1 →
 * record DONE → release. The lease's value block is not used for the record: sanlock writes it only
 * on a clean release, so it would say nothing of a job whose host died.
 */
public final class SanlockJobs implements StorageJobs {
    private static final Logger LOG = LoggerFactory.getLogger(SanlockJobs.class);

    private final LeaseService leases;
    private final StorageDomains storage;
    private final int hostId;
    private final Executor workers;
    private final LongSupplier wallClock;

    public SanlockJobs(LeaseService leases, StorageDomains storage, int hostId, Executor workers, LongSupplier wallClock) {
        this.leases = leases;
        this.storage = storage;
        this.hostId = hostId;
        this.workers = workers;
        this.wallClock = wallClock;
    }

    @Override
    public Started start(UUID job, String type, VolumeRef volume, int expectedGeneration, JobWork work) {
        StorageDomain domain = domain(volume);
        HeldLease lease;
        try {
            lease = leases.acquire(leases.volumeLease(volume));
        } catch (LeaseHeldException e) {
            throw new JobException("job " + job + " on " + volume + " refused: " + e.getMessage(), e);
        }
        JobRecord record;
        VolumeMetadata md;
        try {
            md = domain.metadata(volume);
            if (md.generation() != expectedGeneration) {
                throw new JobException("job " + job + " on " + volume + " refused: the volume is at generation "
                        + md.generation() + ", not " + expectedGeneration);
            }
            long now = wallClock.getAsLong();
            record = new JobRecord(job, type, hostId, lease.hostGeneration(), expectedGeneration, JobRecord.State.RUNNING, "started",
                    0, "", now, now);
            writeRecord(domain, volume, record);
            domain.writeMetadata(volume, md.withLegality(VolumeMetadata.Legality.ILLEGAL));
        } catch (RuntimeException e) {
            lease.close();
            throw e instanceof JobException je ? je : new JobException("job " + job + " on " + volume + " could not start: "
                    + e.getMessage(), e);
        }
        LOG.info("job {} ({}) on {} started at generation {}", job, type, volume, expectedGeneration);
        JobRecord started = record;
        VolumeMetadata before = md;
        CompletableFuture<JobStatus> done = new CompletableFuture<>();
        try {
            workers.execute(() -> done.complete(run(domain, volume, lease, started, before, work)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Not run: the volume goes back as it was, the job recorded failed.
            domain.writeMetadata(volume, before);
            writeRecord(domain, volume, started.ended(JobRecord.State.FAILED, "no worker free: " + e.getMessage(), wallClock.getAsLong()));
            lease.close();
            throw new JobException("job " + job + " on " + volume + ": no worker free", e);
        }
        return new Started(job, done);
    }

    private JobStatus run(StorageDomain domain, VolumeRef volume, HeldLease lease, JobRecord started, VolumeMetadata before,
                          JobWork work) {
        JobRecord[] current = {started};
        try {
            work.run((stage, percent) -> {
                requireHeld(lease, volume);
                current[0] = current[0].progressed(stage, Math.max(-1, Math.min(100, percent)), wallClock.getAsLong());
                writeRecord(domain, volume, current[0]);
            });
            requireHeld(lease, volume);
            VolumeMetadata now = domain.metadata(volume);
            if (now.generation() != started.generation() || now.legality() != VolumeMetadata.Legality.ILLEGAL) {
                // Someone fenced this job (reconnaissance) while it could not tell: its result is not to be trusted.
                throw new JobException("the volume is at generation " + now.generation() + " (" + now.legality()
                        + "): this job was fenced");
            }
            VolumeMetadata after = now.withLegality(VolumeMetadata.Legality.LEGAL)
                    .withGeneration(VolumeMetadata.nextGeneration(started.generation()));
            domain.writeMetadata(volume, after);
            current[0] = current[0].ended(JobRecord.State.DONE, "", wallClock.getAsLong());
            writeRecord(domain, volume, current[0]);
            LOG.info("job {} ({}) on {} done: generation {}", started.job(), started.type(), volume, after.generation());
            lease.close();
            // What it has just written is what storage says: no need to read it back.
            return JobOutcome.of(started.job(), volume, current[0], after, Optional.empty());
        } catch (JobWork.UnchangedException e) {
            if (lease.held()) {
                domain.writeMetadata(volume, before.withLegality(VolumeMetadata.Legality.LEGAL));
            }
            failed(domain, volume, lease, current, e.getMessage());
        } catch (Throwable t) {
            failed(domain, volume, lease, current, t.getMessage() == null ? t.toString() : t.getMessage());
            if (t instanceof Error err) {
                throw err;
            }
        } finally {
            lease.close();
        }
        return status(started.job(), volume);
    }

    private void failed(StorageDomain domain, VolumeRef volume, HeldLease lease, JobRecord[] current, String why) {
        LOG.warn("job {} ({}) on {} failed: {}", current[0].job(), current[0].type(), volume, why);
        if (lease.held()) {
            current[0] = current[0].ended(JobRecord.State.FAILED, why, wallClock.getAsLong());
            try {
                writeRecord(domain, volume, current[0]);
            } catch (RuntimeException e) {
                LOG.warn("job {}: recording its failure: {}", current[0].job(), e.getMessage());
            }
        }
    }

    private static void requireHeld(HeldLease lease, VolumeRef volume) {
        if (!lease.held()) {
            throw new JobException("the lease of " + volume + " was lost");
        }
    }

    @Override
    public JobStatus status(UUID job, VolumeRef volume) {
        StorageDomain domain = domain(volume);
        JobRecord record = readRecord(domain, volume);
        VolumeMetadata md = null;
        try {
            md = domain.metadata(volume);
        } catch (StorageException unreadable) {
            // A volume without readable metadata: its record alone says how the job stands.
        }
        Optional<LeaseOwner> owner;
        try {
            owner = leases.owner(leases.volumeLease(volume));
        } catch (LeaseException e) {
            owner = Optional.empty();
        }
        return JobOutcome.of(job, volume, record, md, owner);
    }

    @Override
    public Optional<JobStatus> latest(VolumeRef volume) {
        JobRecord record = readRecord(domain(volume), volume);
        return record == null ? Optional.empty() : Optional.of(status(record.job(), volume));
    }

    @Override
    public JobStatus reconnoiter(VolumeRef volume) {
        StorageDomain domain = domain(volume);
        try (HeldLease lease = leases.acquire(leases.volumeLease(volume))) {
            JobRecord record = readRecord(domain, volume);
            if (record == null) {
                return JobOutcome.of(new UUID(0, 0), volume, null, null, Optional.empty());
            }
            VolumeMetadata md = domain.metadata(volume);
            long now = wallClock.getAsLong();
            if (record.state() == JobRecord.State.RUNNING) {
                if (md.legality() == VolumeMetadata.Legality.LEGAL
                        && md.generation() == VolumeMetadata.nextGeneration(record.generation())) {
                    // Its host died between its last two writes: it was done.
                    writeRecord(domain, volume, record.ended(JobRecord.State.DONE, "", now));
                } else {
                    // Interrupted: the stale job, should it come back, finds another generation and stops.
                    domain.writeMetadata(volume, md.withGeneration(VolumeMetadata.nextGeneration(md.generation())));
                    writeRecord(domain, volume, record.ended(JobRecord.State.FENCED, "interrupted on host " + record.hostId()
                            + " at '" + record.stage() + "'; fenced by host " + hostId, now));
                    LOG.warn("job {} ({}) on {}: interrupted on host {}; fenced, the volume now at generation {}", record.job(),
                            record.type(), volume, record.hostId(), VolumeMetadata.nextGeneration(md.generation()));
                }
            }
            JobRecord resolved = readRecord(domain, volume);
            VolumeMetadata after = domain.metadata(volume);
            return JobOutcome.of(resolved.job(), volume, resolved, after, Optional.empty());
        }
    }

    // ---- the job record -----------------------------------------------------------------------

    static Path recordFile(StorageDomain domain, VolumeRef volume) {
        return domain.path().resolve("images").resolve(volume.image().toString()).resolve(volume.volume() + ".job");
    }

    private static JobRecord readRecord(StorageDomain domain, VolumeRef volume) {
        Path file = recordFile(domain, volume);
        if (!Files.exists(file)) {
            return null;
        }
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        try (DirectFile f = DirectFile.open(file, false)) {
            f.read(0, block);
        } catch (IOException e) {
            throw new JobException("reading the job record of " + volume + ": " + e, e);
        }
        byte[] bytes = new byte[JobRecordCodec.SIZE];
        block.get(bytes);
        return JobRecordCodec.decode(bytes);
    }

    private static void writeRecord(StorageDomain domain, VolumeRef volume, JobRecord record) {
        Path file = recordFile(domain, volume);
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        block.put(JobRecordCodec.encode(record)).clear();
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            try (DirectFile f = DirectFile.open(file, true)) {
                f.write(0, block);
            }
        } catch (IOException e) {
            throw new JobException("writing the job record of " + volume + ": " + e, e);
        }
    }

    private StorageDomain domain(VolumeRef volume) {
        return storage.domain(volume.domain()).orElseThrow(() -> new JobException("domain " + volume.domain()
                + " is not connected"));
    }
}
