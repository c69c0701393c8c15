package org.headroom.bench;

import java.util.Locale;
import org.headroom.mailbox.internal.MailboxPolicy;
import org.headroom.thinextend.internal.AdaptivePolicy;
import org.headroom.thinextend.internal.ChunkPolicy;
import org.headroom.thinextend.internal.ExtensionPolicy;

/** What a thin-extend run is measured with: the volume monitor's policy and the mailbox's, on both sides. */
record ExtendSetup(String id, ExtensionPolicy policy, MailboxPolicy mailbox) {
    static final long MIB = 1 << 20;

    /**
     * The named setup at chunk {@code chunk} and {@code utilization} %: headroom (or default),
     * adaptive (keeping at least {@code minWatermark}), vdsm-policy (VDSM's chunk rule and mailbox timing).
     */
    static ExtendSetup named(String id, long chunk, int utilization, long minWatermark, double safety, double horizonSeconds) {
        return switch (id) {
            case "headroom", "default" -> new ExtendSetup(id, new ChunkPolicy(chunk, utilization), MailboxPolicy.HEADROOM);
            case "adaptive" -> new ExtendSetup(id, new AdaptivePolicy(chunk, chunk, minWatermark, safety, horizonSeconds),
                    MailboxPolicy.HEADROOM);
            case "vdsm-policy", "vdsm" -> new ExtendSetup(id, new ChunkPolicy(chunk, utilization), MailboxPolicy.VDSM);
            default -> throw new IllegalArgumentException("unknown policy " + id + " (headroom|default, adaptive, vdsm-policy)");
        };
    }

    String describe() {
        String p = policy instanceof ChunkPolicy c
                ? String.format(Locale.ROOT, "ChunkPolicy(%s MiB, %d %%)", mib(c.chunk()), c.utilizationPercent())
                : policy instanceof AdaptivePolicy a
                ? String.format(Locale.ROOT, "AdaptivePolicy(minChunk %s MiB, maxChunk %s MiB, minWatermark %s MiB, "
                        + "safety %s, horizon %s s)", mib(a.minChunk()), mib(a.maxChunk()), mib(a.minWatermark()),
                a.safety(), a.horizonSeconds())
                : policy.toString();
        return p + " + MailboxPolicy." + mailbox.name().toUpperCase(Locale.ROOT);
    }

    private static String mib(long bytes) {
        return bytes % MIB == 0 ? Long.toString(bytes / MIB) : String.format(Locale.ROOT, "%.1f", bytes / (double) MIB);
    }
}
