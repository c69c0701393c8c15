package org.headroom.api.storage;

import java.nio.file.Path;
import java.util.UUID;

/**
 * A storage domain in VDSM's file-domain layout:
 * {@code <root>/<uuid>/dom_md/{ids,leases,metadata,inbox,outbox}} and
 * {@code <root>/<uuid>/images/<image>/<volume>}.
 */
public interface StorageDomain {

    UUID uuid();

    /** {@code <root>/<uuid>}. */
    Path path();

    /** The SPM's inbox: hosts write requests, the SPM reads them. */
    Path inbox();

    /** The SPM's outbox: the SPM writes replies, each host reads its own block. */
    Path outbox();

    /** The backend of the domain's volumes. */
    VolumeBackend volumes();

    /**
     * Finds a volume by its UUID alone, as the mailbox names it (a mailbox message carries no
     * image UUID): the volume file under any {@code images/<image>/}.
     *
     * @throws UnknownVolumeException when no image of the domain has that volume
     */
    /** The volume at a path {@link VolumeBackend#activate} returned, if it is one of this domain's. */
    default java.util.Optional<VolumeRef> volumeAt(Path active) {
        Path file = volumes().fileOf(active).toAbsolutePath().normalize();
        Path images = path().resolve("images").toAbsolutePath().normalize();
        if (!file.startsWith(images) || images.relativize(file).getNameCount() != 2) {
            return java.util.Optional.empty();
        }
        Path relative = images.relativize(file);
        try {
            return java.util.Optional.of(new VolumeRef(uuid(), UUID.fromString(relative.getName(0).toString()),
                    UUID.fromString(relative.getName(1).toString())));
        } catch (IllegalArgumentException notUuids) {
            return java.util.Optional.empty();
        }
    }

    /** Every volume of the domain, in one pass over its images. */
    default java.util.List<VolumeRef> listVolumes() {
        java.util.List<VolumeRef> all = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> images = java.nio.file.Files.list(path().resolve("images"))) {
            for (Path image : (Iterable<Path>) images::iterator) {
                try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(image)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        all.add(new VolumeRef(uuid(), UUID.fromString(image.getFileName().toString()),
                                UUID.fromString(file.getFileName().toString())));
                    }
                } catch (IllegalArgumentException notAVolume) {
                    // A file or directory that is not named by a UUID: not a volume.
                }
            }
        } catch (java.io.IOException e) {
            throw new StorageException("cannot list the volumes of domain " + uuid() + ": " + e.getMessage(), e);
        }
        return all;
    }

    default VolumeRef volume(UUID volume) {
        Path images = path().resolve("images");
        try (java.util.stream.Stream<Path> dirs = java.nio.file.Files.list(images)) {
            return dirs.filter(dir -> java.nio.file.Files.exists(dir.resolve(volume.toString())))
                    .findFirst()
                    .map(dir -> new VolumeRef(uuid(), UUID.fromString(dir.getFileName().toString()), volume))
                    .orElseThrow(() -> new UnknownVolumeException(new VolumeRef(uuid(), new UUID(0, 0), volume)));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new StorageException("cannot look up volume " + volume + " in " + images + ": " + e.getMessage(), e);
        }
    }
}
