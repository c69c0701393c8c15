package org.headroom.api.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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

    /** Every volume of the domain, sorted by image then volume. */
    List<VolumeRef> listVolumes();

    /**
     * Finds a volume by its UUID alone, as the mailbox names it (a mailbox message carries no
     * image UUID).
     *
     * @throws UnknownVolumeException when no image of the domain has that volume
     */
    VolumeRef volume(UUID volume);

    /** The volume at a path {@link VolumeBackend#activate} returned, if it is one of this domain's. */
    Optional<VolumeRef> volumeAt(Path active);

    /**
     * The volume's metadata as on storage now (VDSM's format).
     *
     * @throws UnknownVolumeException when the volume has none (it does not exist)
     * @throws StorageException when it cannot be read or is malformed (the message says how)
     */
    VolumeMetadata metadata(VolumeRef volume);

    /** Writes the volume's metadata in one direct write of one block: it is all old or all new. */
    void writeMetadata(VolumeRef volume, VolumeMetadata metadata);
}
