package org.headroom.api.storage;

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

    /** Host-local directory of the run paths; never on shared storage. */
    Path runDirectory();

    /** Where a VM finds the volume on this host once it is prepared. */
    Path runPath(VolumeRef volume);

    /** Whether a disk path is under the run directory: it names a volume of this host's domains, or none. */
    boolean underRunDirectory(Path path);

    /**
     * The volume behind a disk path a hypervisor reports: a run path (prepared or not), a file, or
     * a device a backend activated.
     */
    Optional<VolumeRef> volumeAt(Path path);

    /**
     * Makes a volume usable by a VM on this host: activates it, makes this host see its current
     * size (another host's SPM may have grown it), and points its run path at it. Idempotent.
     *
     * @return the run path
     * @throws UnknownVolumeException when the domain is not connected or has no such volume
     */
    Path prepare(VolumeRef volume);

    /**
     * Undoes {@link #prepare}: removes the run path (and its directories once empty) and
     * deactivates the volume. Tearing down twice does nothing.
     */
    void teardown(VolumeRef volume);
}
