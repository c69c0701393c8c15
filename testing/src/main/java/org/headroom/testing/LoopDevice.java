package org.headroom.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * A loop device over a file: the stand-in for a logical volume on a machine without
 * device-mapper. Growing the file and {@code losetup -c} is the "lvextend + lvchange --refresh".
 * Detached on {@link #close()}, and by a shutdown hook should a test forget.
 */
public final class LoopDevice implements AutoCloseable {
    private final Path file;
    private final String device;
    private final Thread cleanup;
    private boolean closed;

    private LoopDevice(Path file, String device) {
        this.file = file;
        this.device = device;
        this.cleanup = new Thread(this::detachQuietly, "detach-" + device);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Makes a sparse file of {@code size} bytes and attaches it. */
    public static LoopDevice create(Path file, long size) throws IOException, InterruptedException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        String device = Lab.run("losetup", "--find", "--show", file.toString()).strip();
        return new LoopDevice(file, device);
    }

    public String device() {
        return device;
    }

    public Path file() {
        return file;
    }

    /** Grows the backing file and makes the kernel see the new size, like lvextend + refresh. */
    public void resize(long size) throws IOException, InterruptedException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        Lab.run("losetup", "-c", device);
    }

    @Override
    public synchronized void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        // Only while it is still this file's: an agent may have detached it already (on this
        // machine's one kernel, a simulated host's teardown detaches another's), and the kernel
        // may have given the number to another file since.
        Path backing = Path.of("/sys/class/block", Path.of(device).getFileName().toString(), "loop", "backing_file");
        String holds = java.nio.file.Files.exists(backing) ? java.nio.file.Files.readString(backing).strip() : "";
        Path real = java.nio.file.Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
        if (holds.equals(real.toString()) || holds.equals(file.toString())) {
            Lab.run("losetup", "-d", device);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run.
        }
    }

    private void detachQuietly() {
        try {
            close();
        } catch (Exception ignored) {
            // Best effort while the JVM exits.
        }
    }

    @Override
    public String toString() {
        return device + " over " + file;
    }
}
