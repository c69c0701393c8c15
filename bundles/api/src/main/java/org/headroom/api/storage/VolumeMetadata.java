package org.headroom.api.storage;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A volume's metadata as VDSM keeps it on storage (domain version 5): what it is, whose child, and
 * the two fields storage jobs rest on, {@code legality} (ILLEGAL while a job changes the volume or
 * after one was interrupted) and {@code generation} (bumped by every job that completes, so a job
 * that expects an older one is refused). Immutable; {@code with*} return changed copies.
 *
 * @param parent      the parent volume, or {@link #BLANK} for a base volume
 * @param capacity    the virtual size the guest sees, bytes (CAP)
 * @param format      RAW or COW (qcow2)
 * @param allocation  PREALLOCATED or SPARSE (TYPE)
 * @param role        LEAF, INTERNAL or SHARED (VOLTYPE)
 * @param diskType    what the volume is for (DISKTYPE, e.g. DATA)
 * @param description free text; new ones at most {@link #MAX_DESCRIPTION} characters (VDSM's limit;
 *                    older volumes may carry longer ones, read as they are)
 * @param ctime       creation time, seconds since the epoch
 * @param generation  0..{@link #MAX_GENERATION}, wrapping
 * @param sequence    0..2^32-1 (SEQ)
 * @param extra       keys this version does not know, kept as read so that a rewrite loses nothing
 */
public record VolumeMetadata(UUID domain, UUID image, UUID parent, long capacity, Format format, Allocation allocation,
                             Role role, String diskType, String description, Legality legality, long ctime,
                             int generation, long sequence, Map<String, String> extra) {

    public static final UUID BLANK = new UUID(0, 0);
    public static final int MAX_GENERATION = 999;
    public static final long MAX_SEQUENCE = 0xFFFFFFFFL;
    public static final int MAX_DESCRIPTION = 210;

    public enum Format { RAW, COW }

    public enum Allocation { PREALLOCATED, SPARSE }

    public enum Role { LEAF, INTERNAL, SHARED }

    public enum Legality { LEGAL, ILLEGAL, FAKE }

    public VolumeMetadata {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(allocation, "allocation");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(diskType, "diskType");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(legality, "legality");
        extra = Map.copyOf(extra);
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        if (generation < 0 || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("generation must be 0.." + MAX_GENERATION + ": " + generation);
        }
        if (sequence < 0 || sequence > MAX_SEQUENCE) {
            throw new IllegalArgumentException("sequence must be 0.." + MAX_SEQUENCE + ": " + sequence);
        }
        if (ctime < 0) {
            throw new IllegalArgumentException("ctime must not be negative: " + ctime);
        }
    }

    /** A new volume's metadata: ILLEGAL until whoever creates it has finished, generation 0. */
    public static VolumeMetadata created(VolumeRef volume, UUID parent, long capacity, Format format, Allocation allocation,
                                         String description, long ctime) {
        if (description.length() > MAX_DESCRIPTION) {
            // VDSM truncates it with a warning; a description cut short is a surprise: refuse it.
            throw new IllegalArgumentException("description longer than " + MAX_DESCRIPTION + " characters");
        }
        return new VolumeMetadata(volume.domain(), volume.image(), parent, capacity, format, allocation, Role.LEAF, "DATA",
                description, Legality.ILLEGAL, ctime, 0, 0, Map.of());
    }

    public VolumeMetadata withLegality(Legality l) {
        return new VolumeMetadata(domain, image, parent, capacity, format, allocation, role, diskType, description, l, ctime,
                generation, sequence, extra);
    }

    public VolumeMetadata withGeneration(int g) {
        return new VolumeMetadata(domain, image, parent, capacity, format, allocation, role, diskType, description, legality,
                ctime, g, sequence, extra);
    }

    public VolumeMetadata withCapacity(long c) {
        return new VolumeMetadata(domain, image, parent, c, format, allocation, role, diskType, description, legality, ctime,
                generation, sequence, extra);
    }

    public VolumeMetadata withRole(Role r) {
        return new VolumeMetadata(domain, image, parent, capacity, format, allocation, r, diskType, description, legality,
                ctime, generation, sequence, extra);
    }

    /** The generation after {@code g}: VDSM's wraps at 999. */
    public static int nextGeneration(int g) {
        return (g + 1) % (MAX_GENERATION + 1);
    }
}
