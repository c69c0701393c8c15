package org.headroom.lease.sanlock;

import org.headroom.lease.sanlock.internal.Fields;

/**
 * Where a lease area lives ({@code struct sanlk_disk}): a file or block device sanlock opens with
 * O_DIRECT, and the byte offset of the area in it (a multiple of the alignment).
 */
public record Disk(String path, long offset) {
    public Disk {
        Fields.path("disk path", path);
        if (offset < 0) {
            throw new IllegalArgumentException("disk offset " + offset + " is negative");
        }
    }

    @Override
    public String toString() {
        return path + ":" + offset;
    }
}
