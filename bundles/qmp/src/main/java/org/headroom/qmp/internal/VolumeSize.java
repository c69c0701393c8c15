package org.headroom.qmp.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The size of a drive's volume as this host sees it now. QEMU caches a block device's size until
 * told otherwise (query-named-block-nodes keeps reporting the size at open), while an extended
 * and refreshed volume is larger: like libvirt, read it from the host instead.
 */
final class VolumeSize {
    private static final Path SYS_BLOCK = Path.of("/sys/class/block");

    private VolumeSize() {
    }

    /** The size of a block device (from sysfs) or a file; {@code fallback} when it cannot be read. */
    static long of(String path, long fallback) {
        if (path == null) {
            return fallback;
        }
        try {
            Path p = Path.of(path).toRealPath();
            if (p.startsWith("/dev/")) {
                Path sectors = SYS_BLOCK.resolve(p.getFileName().toString()).resolve("size");
                return Long.parseLong(Files.readString(sectors).strip()) * 512;
            }
            return Files.isRegularFile(p) ? Files.size(p) : fallback;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return fallback;
        }
    }
}
