package org.headroom.thinextend.internal;

/**
 * When to extend a thin volume and by how much. Pure. A policy keeps a {@link #watermark} of free
 * space in the volume: the threshold is armed that far below the end, and the volume is extended
 * when less than that is left. {@link #chunk} is how much one extension adds.
 */
public interface ExtensionPolicy {
    long MIB = 1 << 20;

    String name();

    /** Free space to keep in the volume. */
    long watermark(DriveSizes drive, Learned learned);

    /** How much one extension adds. */
    long chunk(DriveSizes drive, Learned learned);

    /** Where the write threshold goes: {@code watermark} below the end of the volume, at least 1. */
    default long threshold(DriveSizes drive, Learned learned) {
        return Math.max(1, drive.physical() - watermark(drive, learned));
    }

    default boolean needsExtension(DriveSizes drive, Learned learned) {
        return drive.physical() - drive.allocation() < watermark(drive, learned);
    }

    /** The next size and the rule that chose it, in words an admin reads in the log and headroom:volumes. */
    record Step(long size, String rule) {
    }

    /** The next size: one chunk more, rounded up to a MiB, never past {@link #maxSize}. */
    default Step next(DriveSizes drive, Learned learned) {
        long chunk = chunk(drive, learned);
        long grown = roundUpMiB(drive.physical() + chunk);
        long max = maxSize(drive.capacity());
        if (grown >= max) {
            return new Step(max, "capped at 1.1 x capacity (" + max / MIB + " MiB)");
        }
        return new Step(grown, "physical " + drive.physical() / MIB + " MiB + " + (drive.replica() ? "doubled " : "")
                + "chunk " + chunk / MIB + " MiB (" + name() + " policy, free space kept " + watermark(drive, learned) / MIB
                + " MiB)");
    }

    default long nextSize(DriveSizes drive, Learned learned) {
        return next(drive, learned).size();
    }

    /** A qcow2 image can outgrow its virtual size by its metadata: allow 10 % more, as VDSM does. */
    default long maxSize(long capacity) {
        return roundUpMiB(capacity + capacity / 10);
    }

    /**
     * Allocation beyond where the next extension would take the volume means the reading is wrong
     * or something writes where it should not: extending would not help.
     */
    default boolean improbable(DriveSizes drive, Learned learned) {
        return drive.allocation() > nextSize(drive, learned);
    }

    /** The size a new thin volume starts at. */
    default long initialSize(long capacity, Learned learned) {
        return Math.min(roundUpMiB(capacity), chunk(new DriveSizes(capacity, 0, 0, false), learned));
    }

    static long roundUpMiB(long bytes) {
        return (bytes + MIB - 1) / MIB * MIB;
    }
}
