package org.headroom.migrate;

import java.util.List;

/**
 * One migration as this host sees it, at the moment it was read.
 *
 * @param id                 the migration's identity, the same on both hosts
 * @param vm                 the VM's name on this host
 * @param direction          "outgoing" (this host is the source) or "incoming"
 * @param peer               the other host
 * @param state              preparing, migrating, switchover, completing, landing, completed, failed, cancelled
 * @param qemuStatus         the last MIGRATION status QEMU reported here (setup, active, pre-switchover, ...)
 * @param attach             "early" (before the source pauses) or "legacy" (inside the downtime)
 * @param volumes            the VM's volumes, by volume id
 * @param attachMillis       the destination's attach of all volumes; NaN until done
 * @param activateMillis     the storage work inside the downtime as the source waits for it: pre-switchover
 *                           to the destination's answer to activate (with legacy attach, the attach too),
 *                           the round trip included; NaN until done
 * @param destinationMillis  the same work as the destination timed it, without the round trip; NaN until done
 * @param downtimeMillis     guest-visible downtime: the destination's RESUME minus the source's STOP,
 *                           both QMP event timestamps; NaN unless completed
 * @param qemuDowntimeMillis QEMU's own {@code query-migrate} downtime (source side); -1 unless completed
 * @param startedMillis      when it started, milliseconds since the epoch
 * @param error              why it failed or was cancelled; empty otherwise
 */
public record MigrationStatus(String id, String vm, String direction, String peer, String state, String qemuStatus,
                              String attach, List<String> volumes, double attachMillis, double activateMillis,
                              double destinationMillis, double downtimeMillis, long qemuDowntimeMillis, long startedMillis, String error) {

    public MigrationStatus {
        volumes = List.copyOf(volumes);
    }

    public boolean ended() {
        return state.equals("completed") || state.equals("failed") || state.equals("cancelled");
    }
}
