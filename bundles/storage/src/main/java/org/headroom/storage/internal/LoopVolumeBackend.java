package org.headroom.storage.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes as files, each attached on the host that activates it as a loop device: the stand-in for
 * an LV where the kernel has no device-mapper. Like an LV, a loop device keeps the size it had
 * when attached until it is refreshed ({@code losetup -c}), so the SPM growing the file (extend)
 * and a host making its device catch up (refresh) are two steps, as on a SAN.
 */
public final class LoopVolumeBackend extends FileVolumeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(LoopVolumeBackend.class);
    private static final Path SYS_BLOCK = Path.of("/sys/class/block");

    private final CommandRunner commands;

    public LoopVolumeBackend(UUID domain, Path domainPath, CommandRunner commands) {
        super(domain, domainPath);
        this.commands = commands;
    }

    @Override
    public String type() {
        return "loop";
    }

    /** Attaches the volume's file unless a loop device already holds it; serialized so it is attached once. */
    @Override
    public synchronized Path activate(VolumeRef volume) {
        Path file = existing(volume);
        List<String> devices = attachedViaSysfs(file); // no process: on every VM start's path
        if (!devices.isEmpty()) {
            return Path.of(devices.get(0));
        }
        // Direct I/O: the device reads the file as other hosts write it, not this host's cached copy.
        String device = commands.run(List.of("losetup", "--find", "--show", "--direct-io=on", file.toString())).strip();
        if (!device.startsWith("/dev/")) {
            throw new StorageException("attaching volume " + volume + ": losetup printed no device but '" + device + "'");
        }
        LOG.info("activated volume {} as {}", volume, device);
        return Path.of(device);
    }

    /**
     * Makes the loop device see its file's current size and returns the size the device now has.
     * An inactive volume has no device to lag behind: its size is the file's.
     */
    @Override
    public long refresh(VolumeRef volume) {
        Path file = existing(volume);
        List<String> devices = attachedViaSysfs(file);
        if (devices.isEmpty()) {
            return size(volume);
        }
        long seen = Long.MAX_VALUE;
        for (String device : devices) {
            if (!LoopDevices.setCapacity(device)) {
                commands.run(List.of("losetup", "-c", device));
            }
            seen = Math.min(seen, deviceSize(device)); // the smallest view is the one a guest may hit
        }
        return seen;
    }

    @Override
    public synchronized void deactivate(VolumeRef volume) {
        for (String device : devices(existing(volume))) {
            commands.run(List.of("losetup", "-d", device));
            LOG.info("deactivated volume {}: detached {}", volume, device);
        }
    }

    /** A loop device stands for its backing file (from sysfs); any other path for itself. */
    @Override
    public Path fileOf(Path active) {
        Path backing = SYS_BLOCK.resolve(active.getFileName().toString()).resolve("loop/backing_file");
        if (!active.toString().startsWith("/dev/loop") || !Files.exists(backing)) {
            return active;
        }
        try {
            return Path.of(Files.readString(backing).strip());
        } catch (IOException e) {
            throw new StorageException("reading the backing file of " + active + " from " + backing + ": " + e, e);
        }
    }

    /** The loop devices attached to {@code file}; {@code losetup -j} matches the file itself, not its name. */
    private List<String> devices(Path file) {
        return parseDevices(commands.run(List.of("losetup", "-j", file.toString())));
    }

    /** The same from sysfs, without a process: for the refresh on every extension's path. */
    private List<String> attachedViaSysfs(Path file) {
        try {
            return LoopDevices.holding(file);
        } catch (IOException noSysfs) {
            return devices(file);
        }
    }

    /** The devices in {@code losetup -j} output: {@code /dev/loop0: [65024]:2154990 (/path/of/file)}. */
    static List<String> parseDevices(String losetupOutput) {
        List<String> devices = new ArrayList<>();
        for (String line : losetupOutput.split("\n")) {
            int colon = line.indexOf(':');
            if (line.startsWith("/dev/") && colon > 0) {
                devices.add(line.substring(0, colon));
            }
        }
        return devices;
    }

    /** The device's size from sysfs (in 512-byte sectors whatever the device's sector size): no process to start. */
    static long deviceSize(String device) {
        Path sectors = SYS_BLOCK.resolve(Path.of(device).getFileName()).resolve("size");
        try {
            return Long.parseLong(Files.readString(sectors).strip()) * 512;
        } catch (IOException | NumberFormatException e) {
            throw new StorageException("reading the size of " + device + " from " + sectors + ": " + e, e);
        }
    }
}
