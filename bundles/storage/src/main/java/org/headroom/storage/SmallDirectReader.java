package org.headroom.storage;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Direct reads of one device sector (512 bytes) through libc. Java's FileChannel only allows
 * O_DIRECT I/O in whole file-system blocks (4096 bytes on ext4) although the kernel accepts the
 * device's logical sector: a poller that reads a small block many times a second (the SPM watching
 * the events block) reads an eighth as much this way.
 */
public final class SmallDirectReader implements AutoCloseable {
    public static final int SECTOR = 512;

    interface LibC extends Library {
        int open(String path, int flags);

        long pread(int fd, Pointer buffer, long count, long offset);

        int close(int fd);
    }

    private static final int O_RDONLY = 0;
    /** O_DIRECT: 040000 on x86, 0200000 on ARM. */
    private static final int O_DIRECT = Platform.isARM() ? 0200000 : 040000;

    private final LibC libc;
    private final int fd;
    private final Memory memory = new Memory(2L * DirectFile.BLOCK);
    private final Pointer aligned = memory.align(DirectFile.BLOCK);
    private final Path path;

    private SmallDirectReader(LibC libc, int fd, Path path) {
        this.libc = libc;
        this.fd = fd;
        this.path = path;
    }

    /**
     * Opens {@code path} for sector reads, if libc and the device allow a 512-byte direct read;
     * null otherwise (the caller then reads whole blocks).
     */
    public static SmallDirectReader open(Path path) {
        try {
            LibC libc = Native.load("c", LibC.class);
            int fd = libc.open(path.toString(), O_RDONLY | O_DIRECT);
            if (fd < 0) {
                return null;
            }
            SmallDirectReader reader = new SmallDirectReader(libc, fd, path);
            try {
                reader.read(0, new byte[SECTOR]);
                return reader;
            } catch (IOException notAllowed) {
                reader.close();
                return null;
            }
        } catch (UnsatisfiedLinkError | RuntimeException noLibc) {
            return null;
        }
    }

    /** Reads {@code into.length} bytes (a multiple of 512, at most 4096) at a 512-aligned offset. */
    public void read(long offset, byte[] into) throws IOException {
        if (into.length % SECTOR != 0 || into.length > DirectFile.BLOCK || offset % SECTOR != 0) {
            throw new IllegalArgumentException("sector reads only: " + into.length + " bytes at " + offset);
        }
        long n = libc.pread(fd, aligned, into.length, offset);
        if (n != into.length) {
            throw new IOException("direct read of " + into.length + " bytes at " + offset + " of " + path + " returned " + n
                    + " (errno " + Native.getLastError() + ")");
        }
        aligned.read(0, into, 0, into.length);
    }

    @Override
    public void close() {
        libc.close(fd);
    }
}
