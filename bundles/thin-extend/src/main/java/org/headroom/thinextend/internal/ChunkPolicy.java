package org.headroom.thinextend.internal;

/**
 * VDSM's policy, the compatible default: extend by a fixed chunk (2560 MiB), keep
 * {@code (100 − utilization) %} of a chunk free (80 % of 2560 MiB = 2048 MiB), double the chunk
 * while a replica is written.
 */
public record ChunkPolicy(long chunk, int utilizationPercent) implements ExtensionPolicy {
    public static final ChunkPolicy VDSM_DEFAULT = new ChunkPolicy(2560 * MIB, 20);

    public ChunkPolicy {
        if (chunk < MIB) {
            throw new IllegalArgumentException("chunk must be at least 1 MiB: " + chunk);
        }
        if (utilizationPercent < 0 || utilizationPercent > 99) {
            throw new IllegalArgumentException("utilization must be 0..99 %: " + utilizationPercent);
        }
    }

    @Override
    public String name() {
        return "chunk";
    }

    @Override
    public long chunk(DriveSizes drive, Learned learned) {
        return drive.replica() ? 2 * chunk : chunk;
    }

    @Override
    public long watermark(DriveSizes drive, Learned learned) {
        return (100 - utilizationPercent) * chunk(drive, learned) / 100;
    }
}
