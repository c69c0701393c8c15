package org.headroom.storage.internal;

import java.util.Optional;
import java.util.UUID;

/** Domains, images and volumes are named by their UUIDs; anything else beside them is not one of them. */
public final class UuidNames {
    private UuidNames() {
    }

    /** The UUID {@code name} is, if it is one in canonical (lowercase, full) form. */
    public static Optional<UUID> uuid(String name) {
        try {
            UUID uuid = UUID.fromString(name);
            // fromString also takes "1-2-3-4-5" and uppercase: a directory so named is not ours.
            return uuid.toString().equals(name) ? Optional.of(uuid) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
