package org.headroom.thinextend.internal;

/** The policy a configuration names. */
final class Policies {
    private Policies() {
    }

    static ExtensionPolicy from(ThinExtendConfig c) {
        long mib = ExtensionPolicy.MIB;
        return switch (c.policy()) {
            case "chunk" -> new ChunkPolicy(c.chunk__mb() * mib, c.utilization__percent());
            case "adaptive" -> new AdaptivePolicy(c.min__chunk__mb() * mib, c.chunk__mb() * mib,
                    (100 - c.utilization__percent()) * c.min__chunk__mb() * mib / 100, c.adaptive__safety(),
                    c.adaptive__horizon__s());
            default -> throw new IllegalArgumentException("unknown thin-extend policy " + c.policy() + " (chunk, adaptive)");
        };
    }
}
