package org.headroom.thinextend.internal;

/**
 * Sizes each extension from what the drive's monitor measured. The free space kept must outlast
 * an extension at the current write rate, with a safety factor for bursts and slow replies:
 * {@code watermark = rate × latency × safety}; a chunk should last {@code horizon} seconds at
 * that rate, so that a fast writer is extended rarely. Both have floors, so an idle disk holds
 * back only {@code minWatermark}, and the chunk is capped at {@code maxChunk} (doubled for a
 * replica).
 */
public record AdaptivePolicy(long minChunk, long maxChunk, long minWatermark, double safety, double horizonSeconds)
        implements ExtensionPolicy {

    public AdaptivePolicy {
        if (minChunk < MIB || maxChunk < minChunk || minWatermark < 0 || minWatermark > minChunk) {
            throw new IllegalArgumentException("adaptive policy needs 1 MiB <= minWatermark <= minChunk <= maxChunk");
        }
        if (safety < 1 || horizonSeconds <= 0) {
            throw new IllegalArgumentException("adaptive policy needs safety >= 1 and a positive horizon");
        }
    }

    @Override
    public String name() {
        return "adaptive";
    }

    @Override
    public long chunk(DriveSizes drive, Learned learned) {
        long cap = drive.replica() ? 2 * maxChunk : maxChunk;
        long wanted = Math.max((long) (learned.writeRate() * horizonSeconds), 2 * watermarkUncapped(learned));
        return Math.min(cap, Math.max(minChunk, wanted));
    }

    @Override
    public long watermark(DriveSizes drive, Learned learned) {
        return Math.min(chunk(drive, learned), Math.max(minWatermark, watermarkUncapped(learned)));
    }

    private long watermarkUncapped(Learned learned) {
        return (long) (learned.writeRate() * learned.extensionLatency() * safety);
    }
}
