package org.headroom.storage.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop devices without starting a process: which devices hold a file (from sysfs) and
 * "losetup -c" as the LOOP_SET_CAPACITY ioctl. A refresh sits on the path of every extension,
 * where two losetup processes cost 10 to 20 ms; these take microseconds.
 */
final class LoopDevices {
    private static final Path SYS_BLOCK = Path.of("/sys/block");
    /** LOOP_SET_CAPACITY from linux/loop.h. */
    private static final long LOOP_SET_CAPACITY = 0x4C07;
    private static final int O_RDONLY = 0;

    interface LibC extends Library {
        int open(String path, int flags);

        int ioctl(int fd, long request, long argument);

        int close(int fd);
    }

    private static volatile LibC libc;

    private LoopDevices() {
    }

    /** The loop devices whose backing file is {@code file}, as /dev paths. */
    static List<String> holding(Path file) throws IOException {
        Path real = file.toRealPath();
        List<String> devices = new ArrayList<>();
        try (DirectoryStream<Path> loops = Files.newDirectoryStream(SYS_BLOCK, "loop*")) {
            for (Path loop : loops) {
                Path backing = loop.resolve("loop/backing_file");
                if (Files.exists(backing) && Path.of(Files.readString(backing).strip()).equals(real)) {
                    devices.add("/dev/" + loop.getFileName());
                }
            }
        }
        return devices;
    }

    /** Makes the device take its file's current size; false when the ioctl is not available. */
    static boolean setCapacity(String device) {
        LibC c = libc();
        if (c == null) {
            return false;
        }
        int fd = c.open(device, O_RDONLY);
        if (fd < 0) {
            return false;
        }
        try {
            return c.ioctl(fd, LOOP_SET_CAPACITY, 0) == 0;
        } finally {
            c.close(fd);
        }
    }

    private static LibC libc() {
        if (libc == null) {
            try {
                libc = Native.load("c", LibC.class);
            } catch (UnsatisfiedLinkError | RuntimeException unavailable) {
                return null;
            }
        }
        return libc;
    }
}
