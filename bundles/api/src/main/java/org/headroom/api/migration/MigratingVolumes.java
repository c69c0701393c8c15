package org.headroom.api.migration;

import java.util.concurrent.CompletionStage;
import org.headroom.api.storage.VolumeRef;

/**
 * The volumes of VMs migrating away from this host, as the volume monitor consults them after the
 * SPM extended a volume and before this host refreshes it.
 *
 * <p>While a VM migrates, its destination has the volume attached and its QEMU may write past
 * the old size the moment it takes over. So the destination refreshes first and checks the size
 * there; only then does the source refresh and re-arm. If the destination cannot, the extension
 * fails on the source too: the volume monitor asks again, rather than letting a VM land on a
 * volume it sees too small (oVirt BZ 1883399).
 */
public interface MigratingVolumes {

    /**
     * Refreshes {@code volume} on every host it migrates to and checks that each sees at least
     * {@code size} bytes. Completes at once when the volume belongs to no migration under way;
     * fails with {@link DestinationRefreshException} when a destination cannot refresh it or sees
     * it smaller.
     */
    CompletionStage<Void> refreshDestinations(VolumeRef volume, long size);
}
