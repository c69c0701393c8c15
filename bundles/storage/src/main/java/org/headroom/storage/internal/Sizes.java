package org.headroom.storage.internal;

import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeRef;

/** Volume sizes: bytes in the contract, whole MiB on storage and in the mailbox. */
final class Sizes {
    static final long MIB = 1L << 20;
    /** The largest size a mailbox extend request can carry (its size field is 32 bits of MiB). */
    static final long MAX_MIB = 0xFFFFFFFFL;

    private Sizes() {
    }

    /** {@code bytes} rounded up to whole MiB; fails on a size no volume can have. */
    static long mib(VolumeRef volume, long bytes) {
        if (bytes <= 0) {
            throw new StorageException("size of " + volume + " must be positive, got " + bytes + " bytes");
        }
        long mib = (bytes - 1) / MIB + 1; // rounds up without overflowing near Long.MAX_VALUE
        if (mib > MAX_MIB) {
            throw new StorageException("size of " + volume + " is " + mib + " MiB, more than the largest a volume may have ("
                    + MAX_MIB + " MiB, the mailbox's limit)");
        }
        return mib;
    }
}
