package org.headroom.migrate;

/**
 * How one migration runs.
 *
 * @param attach        "early" or "legacy" for this migration; null: the host's setting
 * @param nameThere     the VM's name on the destination (null: the same): a VM may arrive under
 *                      another name, as a receiver's temporary one; attachments never depend on it
 * @param bandwidthMiBs QEMU's max-bandwidth for this migration in MiB/s (0: QEMU's default, 128 MiB/s)
 */
public record MigrationOptions(String attach, String nameThere, int bandwidthMiBs) {
    public static final MigrationOptions DEFAULT = new MigrationOptions(null, null, 0);

    public MigrationOptions {
        if (attach != null && !attach.equals("early") && !attach.equals("legacy")) {
            throw new IllegalArgumentException("attach must be early or legacy, not " + attach);
        }
        if (bandwidthMiBs < 0) {
            throw new IllegalArgumentException("bandwidth must not be negative: " + bandwidthMiBs);
        }
    }
}
