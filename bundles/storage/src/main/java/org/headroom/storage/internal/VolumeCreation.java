package org.headroom.storage.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.headroom.api.jobs.JobState;
import org.headroom.api.jobs.JobStatus;
import org.headroom.api.jobs.StorageJobs;
import org.headroom.api.spm.SpmRole;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.CreatedVolume;
import org.headroom.storage.VolumeService;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates volumes as the SPM does (VDSM's createVolume): the volume on storage, at its first size,
 * then the image format on it (qemu-img on the activated volume), then deactivated again: the VM's
 * host prepares it when the VM starts.
 */
@Component(service = VolumeService.class)
public class VolumeCreation implements VolumeService {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeCreation.class);
    static final long DEFAULT_CHUNK = 2560L << 20;
    static final String QEMU_IMG = "/usr/bin/qemu-img";
    /** A formatting job that has not ended by then is given up on (it goes on, and reads back from storage). */
    static final java.time.Duration CREATE_TIMEOUT = java.time.Duration.ofMinutes(5);

    private final StorageDomains storage;
    private final CommandRunner commands;
    private volatile SpmRole spm;
    private volatile StorageJobs jobs;

    public VolumeCreation(StorageDomains storage, CommandRunner commands, SpmRole spm) {
        this.storage = storage;
        this.commands = commands;
        this.spm = spm;
    }

    /** With storage jobs (the lease service runs): the formatting of a new volume is a job. */
    public VolumeCreation(StorageDomains storage, CommandRunner commands, SpmRole spm, StorageJobs jobs) {
        this(storage, commands, spm);
        this.jobs = jobs;
    }

    @org.osgi.service.component.annotations.Activate
    public VolumeCreation(@Reference StorageDomains storage) {
        this(storage, new ProcessCommandRunner(ProcessCommandRunner.DEFAULT_TIMEOUT), null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSpm(SpmRole role) {
        spm = role;
    }

    void unbindSpm(SpmRole role) {
        if (spm == role) {
            spm = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindJobs(StorageJobs running) {
        jobs = running;
    }

    void unbindJobs(StorageJobs running) {
        if (jobs == running) {
            jobs = null;
        }
    }

    @Override
    public CreatedVolume create(UUID domainId, long capacity, String format, long initialSize) {
        StorageDomain domain = storage.domain(domainId).orElseThrow(() -> new StorageException("domain " + domainId
                + " is not connected to this host (connected: " + storage.domains().stream().map(StorageDomain::uuid).toList() + ")"));
        SpmRole role = spm;
        if (role == null) {
            throw new StorageException("only the SPM creates volumes, and this host knows of no SPM role"
                    + " (is org.headroom.mailbox configured?)");
        }
        if (!role.held()) {
            throw new StorageException("only the SPM creates volumes: this host is not the SPM"
                    + (role.spmHostId() > 0 ? " (the SPM is host " + role.spmHostId() + ")" : ""));
        }
        if (capacity < (1 << 20)) {
            throw new StorageException("a disk of " + capacity + " bytes is too small: at least 1 MiB");
        }
        long size = switch (format) {
            case "qcow2" -> initialSize > 0 ? Math.min(initialSize, capacity + capacity / 10) : Math.min(DEFAULT_CHUNK, capacity);
            case "raw" -> capacity;
            default -> throw new StorageException("unknown format '" + format + "': qcow2 (thin) or raw");
        };
        VolumeRef volume = new VolumeRef(domainId, UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(volume, size);
        // ILLEGAL until formatted: a creation interrupted here reads back as such, from storage alone.
        VolumeMetadata md = VolumeMetadata.created(volume, VolumeMetadata.BLANK, capacity,
                format.equals("qcow2") ? VolumeMetadata.Format.COW : VolumeMetadata.Format.RAW,
                format.equals("qcow2") ? VolumeMetadata.Allocation.SPARSE : VolumeMetadata.Allocation.PREALLOCATED, "",
                System.currentTimeMillis() / 1000);
        domain.writeMetadata(volume, md);
        StorageJobs running = jobs;
        if (running != null) {
            // Under the volume's lease, its outcome readable from storage (headroom:jobs): LEGAL at
            // generation 1 when done, ILLEGAL and recorded as interrupted if this host dies meanwhile.
            JobStatus s;
            try {
                s = running.start(UUID.randomUUID(), "create-volume", volume, md.generation(),
                        progress -> format(domain, volume, format, capacity, size)).done().toCompletableFuture()
                        .get(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted creating volume " + volume, e);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                throw new StorageException("created volume " + volume + " but its formatting job failed: " + e, e);
            }
            if (s.state() != JobState.DONE) {
                throw new StorageException("created volume " + volume + " but its formatting job ended " + s.state() + ": "
                        + s.error());
            }
        } else {
            try {
                format(domain, volume, format, capacity, size);
            } catch (RuntimeException e) {
                LOG.error("formatting new volume {} failed; it stays on storage for removal: {}", volume, e.getMessage());
                throw new StorageException("created volume " + volume + " but could not format it as " + format + ": "
                        + e.getMessage(), e);
            }
            domain.writeMetadata(volume, md.withLegality(VolumeMetadata.Legality.LEGAL));
        }
        long onStorage = domain.volumes().size(volume);
        LOG.info("created {} volume {} of {} MiB ({} MiB on storage)", format, volume, capacity >> 20, onStorage >> 20);
        return new CreatedVolume(volume, storage.runPath(volume), format, capacity, onStorage);
    }

    private void format(StorageDomain domain, VolumeRef volume, String format, long capacity, long size) {
        if (!format.equals("qcow2")) {
            return;
        }
        Path active = domain.volumes().activate(volume);
        try {
            commands.run(List.of(QEMU_IMG, "create", "-q", "-f", "qcow2", active.toString(), Long.toString(capacity)));
        } finally {
            domain.volumes().deactivate(volume);
        }
        // qemu-img truncates a plain file to the bare qcow2 header: give a file volume back its
        // first size (a block device keeps its size; this is then a no-op).
        domain.volumes().extend(volume, size);
    }
}
