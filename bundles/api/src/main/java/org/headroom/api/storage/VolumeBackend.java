package org.headroom.api.storage;

import java.nio.file.Path;

/**
 * How volumes of a storage domain are made, sized, grown and attached. One implementation per kind
 * of storage: {@code loop} (a file and a loop device, the stand-in for an LV where device-mapper is
 * missing), {@code file} (plain files, as on NFS), {@code lvm} (logical volumes on a SAN).
 *
 * <p>{@link #extend} is the SPM's side, the only host allowed to change volume sizes;
 * {@link #refresh} is every other host's side, making its view of the volume catch up.
 * Sizes are bytes. Failures are {@link StorageException}s; a volume that does not exist is an
 * {@link UnknownVolumeException}.
 */
public interface VolumeBackend {

    /** "loop", "file" or "lvm". */
    String type();

    /** The domain's volumes, sorted by image then volume. */
    java.util.List<VolumeRef> list();

    /** Creates a volume of {@code size} bytes (rounded up to whole MiB). */
    void create(VolumeRef volume, long size);

    boolean exists(VolumeRef volume);

    /** The volume's size on storage, as the SPM sees it. */
    long size(VolumeRef volume);

    /**
     * Grows the volume to at least {@code size} bytes. Idempotent: a volume already that large is
     * left alone. Returns the size after the call.
     */
    long extend(VolumeRef volume, long size);

    /** Makes this host see the volume's current size; returns that size. */
    long refresh(VolumeRef volume);

    /** Makes the volume usable on this host; returns the path to open (a block device or a file). */
    Path activate(VolumeRef volume);

    /**
     * Whether a migration's destination may activate the volume while the source still runs the
     * VM (xen-api's {@code can_attach_early}): activation on two hosts at once is allowed, as for
     * an LV activated shared, a loop device over a shared file or a file on NFS, where QEMU's own
     * image locking at the switchover keeps the writer exclusive. A backend whose activation takes
     * something exclusive says no, and its volumes are attached inside the downtime.
     */
    default boolean canAttachEarly() {
        return true;
    }

    /** Releases what {@link #activate} took on this host. Deactivating an inactive volume does nothing. */
    void deactivate(VolumeRef volume);

    /**
     * The volume's file behind a path that {@link #activate} returned on this host (for a loop
     * device: its backing file), so that a disk seen in a hypervisor can be traced to its volume.
     */
    default Path fileOf(Path active) {
        return active;
    }
}
