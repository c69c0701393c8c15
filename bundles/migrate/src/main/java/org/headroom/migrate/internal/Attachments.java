package org.headroom.migrate.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.headroom.api.storage.VolumeRef;
import org.headroom.migrate.AttachmentStatus;

/**
 * The volumes this host attached for incoming migrations, keyed by the volume's own id. Never by
 * the VM's name or id: a VM may be renamed on its way (xen-api keyed its attachments by VM and
 * lost them on a rename), and the volume is what was attached.
 *
 * <p>Attach and activate are both idempotent: attaching an attached volume runs the backend's
 * attach again (which itself is idempotent: it refreshes) and keeps the entry; activating an
 * active one does nothing. Activating a volume that was never attached fails, saying so.
 */
final class Attachments {
    enum State { ATTACHED, ACTIVE }

    private record Attachment(VolumeRef volume, Path runPath, String migration, State state) {
    }

    private final Map<UUID, Attachment> byVolume = new LinkedHashMap<>();

    /** Attaches through {@code attach} (the backend's, returning the run path) unless attached; returns the run path. */
    synchronized Path attach(String migration, VolumeRef volume, Function<VolumeRef, Path> attach) {
        Attachment known = byVolume.get(volume.volume());
        Path runPath = attach.apply(volume);
        State state = known == null ? State.ATTACHED : known.state();
        String owner = known == null || known.migration().equals("admin") ? migration : known.migration();
        byVolume.put(volume.volume(), new Attachment(volume, runPath, owner, state));
        return runPath;
    }

    /**
     * Marks the volume active: from here this host's QEMU is its writer. Fails with
     * {@link NotAttachedException} when it is not attached.
     */
    synchronized void activate(UUID volume) {
        Attachment a = byVolume.get(volume);
        if (a == null) {
            throw new NotAttachedException("volume " + volume + " has no attachment on this host: not activating"
                    + " (attached: " + byVolume.keySet() + ")");
        }
        if (a.state() != State.ACTIVE) {
            byVolume.put(volume, new Attachment(a.volume(), a.runPath(), a.migration(), State.ACTIVE));
        }
    }

    /**
     * Forgets those of {@code volumes} that are attached, active or not, and returns them for their
     * teardown: what a failed or cancelled migration, or an admin, leaves.
     */
    synchronized List<VolumeRef> detach(List<VolumeRef> volumes) {
        List<VolumeRef> gone = new ArrayList<>();
        for (VolumeRef v : volumes) {
            Attachment a = byVolume.remove(v.volume());
            if (a != null) {
                gone.add(a.volume());
            }
        }
        return gone;
    }

    /** Forgets the volumes after the migration landed: the VM owns them now, as any VM started here. */
    synchronized void landed(List<VolumeRef> volumes) {
        for (VolumeRef v : volumes) {
            byVolume.remove(v.volume());
        }
    }

    synchronized boolean attached(UUID volume) {
        return byVolume.containsKey(volume);
    }

    synchronized List<AttachmentStatus> snapshot() {
        return byVolume.values().stream()
                .map(a -> new AttachmentStatus(a.volume().volume().toString(), a.volume().toString(), a.runPath().toString(),
                        a.migration(), a.state().name().toLowerCase(java.util.Locale.ROOT)))
                .sorted(Comparator.comparing(AttachmentStatus::volume))
                .toList();
    }
}
