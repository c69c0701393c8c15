package org.headroom.migrate;

/**
 * A volume this host attached for an incoming migration.
 *
 * @param volume    the volume's id: the key, whatever the VM is called
 * @param ref       domain/image/volume
 * @param runPath   where the destination's QEMU opens it
 * @param migration the migration that attached it, or "admin"
 * @param state     "attached" (usable, the source still writes) or "active" (this host's QEMU is the writer)
 */
public record AttachmentStatus(String volume, String ref, String runPath, String migration, String state) {
}
