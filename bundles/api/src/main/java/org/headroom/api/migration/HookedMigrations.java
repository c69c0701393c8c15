package org.headroom.api.migration;

import java.util.List;
import org.headroom.api.storage.VolumeRef;

/**
 * Migrations that libvirt runs ({@code virsh migrate}), as each host's qemu hook tells its agent.
 * libvirt calls no hook on the source until the VM has left it, so the destination speaks first:
 * its {@code prepare} hook attaches the VM's volumes before its QEMU starts (before any RAM moves)
 * and tells the agents of the pool, and the agent whose host has the volumes in use becomes the
 * migration's source: from then on it refreshes a volume it extends on the destination first.
 * The {@code release} hook ends the migration on either side.
 */
public interface HookedMigrations {

    /**
     * The destination's {@code prepare} of an incoming migration: attaches {@code volumes} here
     * (idempotent) and returns once the source's agent knows where the VM goes.
     *
     * @throws MigrationRefusedException when a volume cannot be attached here, or no agent of the
     *                                   pool has the VM's volumes in use: the hook fails the
     *                                   migration rather than let the VM land unwatched
     */
    void arriving(String vm, List<VolumeRef> volumes);

    /**
     * The {@code release} hook on this host: the VM's volumes were released. An arrival that had
     * them did not land (the migration failed or was cancelled); a departure that had them has
     * landed elsewhere.
     */
    void released(String vm, List<VolumeRef> volumes);
}
