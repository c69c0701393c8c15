package org.headroom.api.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The storage domains this host is connected to.
 *
 * <p>A VM names a volume by its <em>run path</em>, {@code <run directory>/<domain>/<image>/<volume>}:
 * a host-local link that {@link #prepare} points at whatever the backend activated (a loop device,
 * an LV, a file). The path is the same on every host and survives re-activation under another
 * device name, so a domain XML can be written before the volume is active anywhere.
 */
public interface StorageDomains {

    List<StorageDomain> domains();

    Optional<StorageDomain> domain(UUID uuid);

    /** A fixed set of domains, their volumes prepared under {@code runDirectory}: for tools and tests. */
    static StorageDomains of(Path runDirectory, StorageDomain... domains) {
        List<StorageDomain> all = List.of(domains);
        return new StorageDomains() {
            @Override
            public List<StorageDomain> domains() {
                return all;
            }

            @Override
            public Optional<StorageDomain> domain(UUID uuid) {
                return all.stream().filter(d -> d.uuid().equals(uuid)).findFirst();
            }

            @Override
            public Path runDirectory() {
                return runDirectory;
            }
        };
    }

    /** Host-local directory of the run paths; never on shared storage. */
    default Path runDirectory() {
        return Path.of("/run/headroom/storage");
    }

    /** Where a VM finds the volume on this host once it is prepared. */
    default Path runPath(VolumeRef volume) {
        return runDirectory().resolve(volume.domain().toString()).resolve(volume.image().toString())
                .resolve(volume.volume().toString());
    }

    /** Whether a disk path is under the run directory: it names a volume of this host's domains, or none. */
    default boolean underRunDirectory(Path path) {
        return path.toAbsolutePath().normalize().startsWith(runDirectory().toAbsolutePath().normalize());
    }

    /**
     * The volume behind a disk path a hypervisor reports: a run path (prepared or not), a file, or
     * a device a backend activated.
     */
    default Optional<VolumeRef> volumeAt(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path relative = runDirectory().toAbsolutePath().normalize().relativize(absolute);
        if (underRunDirectory(absolute) && relative.getNameCount() == 3) {
            try {
                VolumeRef volume = new VolumeRef(UUID.fromString(relative.getName(0).toString()),
                        UUID.fromString(relative.getName(1).toString()), UUID.fromString(relative.getName(2).toString()));
                return domain(volume.domain()).isPresent() ? Optional.of(volume) : Optional.empty();
            } catch (IllegalArgumentException notUuids) {
                return Optional.empty();
            }
        }
        for (StorageDomain d : domains()) {
            Optional<VolumeRef> v = d.volumeAt(path);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    /**
     * Makes a volume usable by a VM on this host: activates it, makes this host see its current
     * size (another host's SPM may have grown it), and points its run path at it. Idempotent.
     *
     * @return the run path
     * @throws UnknownVolumeException when the domain is not connected or has no such volume
     */
    default Path prepare(VolumeRef volume) {
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
            Files.move(fresh, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StorageException("linking " + link + " to " + active + ": " + e.getMessage(), e);
        }
        return link;
    }

    /** Undoes {@link #prepare}: removes the run path and deactivates the volume. Tearing down twice does nothing. */
    default void teardown(VolumeRef volume) {
        StorageDomain domain = domain(volume.domain()).orElseThrow(() -> new UnknownVolumeException(volume));
        try {
            Files.deleteIfExists(runPath(volume));
        } catch (IOException e) {
            throw new StorageException("removing " + runPath(volume) + ": " + e.getMessage(), e);
        }
        domain.volumes().deactivate(volume);
    }
}
