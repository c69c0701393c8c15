package org.headroom.storage;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeRef;

/**
 * A fixed set of connected storage domains and this host's run paths under one run directory: what
 * the storage component connects, and what tools and tests use as they are.
 */
public final class DomainSet implements StorageDomains {
    private final Path runDirectory;
    private final List<StorageDomain> domains;

    private DomainSet(Path runDirectory, List<StorageDomain> domains) {
        this.runDirectory = runDirectory.toAbsolutePath().normalize();
        this.domains = List.copyOf(domains);
    }

    /** These domains, their volumes prepared under {@code runDirectory}. */
    public static DomainSet of(Path runDirectory, StorageDomain... domains) {
        return new DomainSet(runDirectory, List.of(domains));
    }

    public static DomainSet of(Path runDirectory, List<StorageDomain> domains) {
        return new DomainSet(runDirectory, domains);
    }

    @Override
    public List<StorageDomain> domains() {
        return domains;
    }

    @Override
    public Optional<StorageDomain> domain(UUID uuid) {
        return domains.stream().filter(d -> d.uuid().equals(uuid)).findFirst();
    }

    @Override
    public Path runDirectory() {
        return runDirectory;
    }

    @Override
    public Path runPath(VolumeRef volume) {
        return runDirectory.resolve(volume.domain().toString()).resolve(volume.image().toString())
                .resolve(volume.volume().toString());
    }

    @Override
    public boolean underRunDirectory(Path path) {
        return path.toAbsolutePath().normalize().startsWith(runDirectory);
    }

    @Override
    public Optional<VolumeRef> volumeAt(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (underRunDirectory(absolute)) {
            Path relative = runDirectory.relativize(absolute);
            if (relative.getNameCount() != 3) {
                return Optional.empty();
            }
            try {
                VolumeRef volume = new VolumeRef(UUID.fromString(relative.getName(0).toString()),
                        UUID.fromString(relative.getName(1).toString()), UUID.fromString(relative.getName(2).toString()));
                return domain(volume.domain()).isPresent() ? Optional.of(volume) : Optional.empty();
            } catch (IllegalArgumentException notUuids) {
                return Optional.empty();
            }
        }
        for (StorageDomain d : domains) {
            Optional<VolumeRef> v = d.volumeAt(path);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    @Override
    public Path prepare(VolumeRef volume) {
        StorageDomain domain = domain(volume.domain()).orElseThrow(() -> new UnknownVolumeException(volume));
        if (!domain.volumes().exists(volume)) {
            throw new UnknownVolumeException(volume);
        }
        Path active = domain.volumes().activate(volume);
        domain.volumes().refresh(volume);
        Path link = runPath(volume);
        try {
            Files.createDirectories(link.getParent());
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(active)) {
                return link;
            }
            // Replace atomically: a VM that already opened the old target keeps its descriptor.
            Path fresh = link.resolveSibling(link.getFileName() + ".new");
            Files.deleteIfExists(fresh);
            Files.createSymbolicLink(fresh, active);
            Files.move(fresh, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StorageException("linking " + link + " to " + active + ": " + e.getMessage(), e);
        }
        return link;
    }

    @Override
    public void teardown(VolumeRef volume) {
        StorageDomain domain = domain(volume.domain()).orElseThrow(() -> new UnknownVolumeException(volume));
        Path link = runPath(volume);
        try {
            Files.deleteIfExists(link);
            // The image's and the domain's directories go with their last run path; another
            // volume prepared meanwhile keeps them (the delete then fails, and that is right).
            removeIfEmpty(link.getParent());
            removeIfEmpty(link.getParent().getParent());
        } catch (IOException e) {
            throw new StorageException("removing " + link + ": " + e.getMessage(), e);
        }
        domain.volumes().deactivate(volume);
    }

    private static void removeIfEmpty(Path dir) throws IOException {
        try {
            Files.delete(dir);
        } catch (DirectoryNotEmptyException | NoSuchFileException keep) {
            // In use by another volume, or gone already.
        }
    }

    @Override
    public String toString() {
        return domains.size() + " storage domain(s), run paths under " + runDirectory;
    }
}
