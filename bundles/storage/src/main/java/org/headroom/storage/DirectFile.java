package org.headroom.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file or block device opened with O_DIRECT: reads and writes bypass this host's page cache, so
 * that what one host writes to shared storage is what another host reads. Offsets, lengths and
 * buffers must be multiples of {@link #alignment()}; {@link #buffer(int)} makes such buffers.
 * Counts the bytes it reads and writes.
 */
public final class DirectFile implements AutoCloseable {
    /** The alignment that works on every device, 4 KiB sectors included. */
    public static final int BLOCK = 4096;

    private final Path path;
    private final FileChannel channel;
    private final int alignment;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();

    private DirectFile(Path path, FileChannel channel, int alignment) {
        this.path = path;
        this.channel = channel;
        this.alignment = alignment;
    }

    /** Opens for reading, and writing when {@code writable}. */
    public static DirectFile open(Path path, boolean writable) throws IOException {
        List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ, ExtendedOpenOption.DIRECT));
        if (writable) {
            options.add(StandardOpenOption.WRITE);
        }
        FileChannel channel = FileChannel.open(path, options.toArray(OpenOption[]::new));
        return new DirectFile(path, channel, BLOCK);
    }

    /** A direct buffer of {@code size} bytes aligned for O_DIRECT. */
    public static ByteBuffer buffer(int size) {
        return ByteBuffer.allocateDirect(size + BLOCK).alignedSlice(BLOCK).limit(size);
    }

    public int alignment() {
        return alignment;
    }

    public Path path() {
        return path;
    }

    /** Fills {@code dst} from {@code offset}; bytes past the end of the file read as zeros. */
    public void read(long offset, ByteBuffer dst) throws IOException {
        int start = dst.position();
        while (dst.hasRemaining()) {
            int n = channel.read(dst, offset + dst.position() - start);
            if (n > 0) {
                bytesRead.addAndGet(n);
            }
            // End of file. A file whose size is no multiple of the alignment ends mid-block, where
            // reading on would be an unaligned read: the short read is the end too.
            if (n < 0 || (dst.position() - start) % alignment != 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                break;
            }
        }
        dst.position(start);
    }

    /** Writes all of {@code src} at {@code offset}. */
    public void write(long offset, ByteBuffer src) throws IOException {
        int start = src.position();
        while (src.hasRemaining()) {
            bytesWritten.addAndGet(channel.write(src, offset + src.position() - start));
        }
        src.position(start);
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
