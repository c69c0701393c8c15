package org.headroom.migrate;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Live migration of the VMs this host runs, coordinated with the destination's agent.
 *
 * <p>A migration has one owner, the source's coordinator, and one identity carried through every
 * call to the destination. For every volume of the VM the destination <em>attaches</em> (activates
 * the volume, refreshes it, links its run path: slow, idempotent, allowed on two hosts at once)
 * before the source is paused, and only <em>activates</em> (what must be exclusive; fast,
 * idempotent) inside the downtime, at QEMU's pre-switchover. Attachments are keyed by the volume's
 * id, never by the VM's name, which may change on the way.
 */
public interface MigrationService {

    /**
     * Migrates {@code vm} (a QEMU process attached over QMP) to the agent of {@code host}, whose
     * QEMU for it waits with {@code -incoming defer}. Completes when the migration ended: with its
     * final status (completed, failed or cancelled, the reason in {@link MigrationStatus#error()}).
     * Fails at once when the VM is unknown, already migrating, or the host is not a peer.
     */
    CompletionStage<MigrationStatus> migrate(String vm, String host, MigrationOptions options);

    /** Cancels the migration of {@code vm} in whatever state it is; the VM runs on here. */
    MigrationStatus cancel(String vm);

    /** Migrations under way and the last ones that ended, outgoing and incoming, newest first. */
    List<MigrationStatus> migrations();

    /**
     * Attaches a volume here ahead of an incoming migration, as the cluster manager does before it
     * starts the destination's QEMU (with {@code -incoming defer}) on the volume's run path: the
     * migration's own attach then finds it attached. Idempotent.
     *
     * @throws IllegalArgumentException when no connected domain has it
     */
    AttachmentStatus attach(java.util.UUID volume);

    /** Detaches a volume attached here and not in use by a migration that landed; detaching twice does nothing. */
    void detach(java.util.UUID volume);

    /** The volumes this host attached for incoming migrations (or an admin), by volume id. */
    List<AttachmentStatus> attachments();

    /** The agents' endpoint: where it listens and whom it refused. */
    EndpointStatus endpoint();
}
