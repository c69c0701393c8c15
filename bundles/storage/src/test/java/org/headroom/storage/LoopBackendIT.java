package org.headroom.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.headroom.api.storage.VolumeBackend;
import org.headroom.api.storage.VolumeRef;
import org.headroom.testing.Lab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop backend against real loop devices: the SPM grows a volume's file, a host's loop device
 * keeps its old size until refreshed, as an LV on another host would, and then sees the new one.
 */
class LoopBackendIT {
    static final long MIB = 1L << 20;

    /** On disk, not tmpfs: the loop devices use direct I/O on their files. */
    @TempDir
    Path root;

    final List<VolumeRef> created = new ArrayList<>();
    FileStorageDomain domain;
    VolumeBackend loop;

    @BeforeEach
    void requireLoopDevices() {
        Lab.require("/dev/loop-control", "/usr/sbin/losetup");
        if (!Files.isWritable(Path.of("/dev/loop-control"))) {
            String why = "loop devices need root: /dev/loop-control is not writable";
            if (Lab.ci()) {
                throw new AssertionError("CI runs as root, yet " + why);
            }
            Assumptions.abort(why);
        }
        domain = FileStorageDomain.create(root, UUID.randomUUID(), "loop");
        loop = domain.volumes();
    }

    /** Every device a test attached is detached, whether the test passed or not, and checked gone. */
    @AfterEach
    void detachEverything() throws Exception {
        List<String> left = new ArrayList<>();
        for (VolumeRef volume : created) {
            try {
                loop.deactivate(volume);
            } finally {
                left.add(Lab.run("losetup", "-j", volumeFile(volume).toString()).strip());
            }
        }
        assertThat(left).as("loop devices left attached").allMatch(String::isEmpty);
    }

    VolumeRef create(long size) {
        VolumeRef volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        loop.create(volume, size);
        created.add(volume);
        return volume;
    }

    @Test
    void theSpmExtendsAndAHostSeesTheNewSizeOnlyAfterRefreshing() throws Exception {
        VolumeRef volume = create(16 * MIB);

        Path device = loop.activate(volume);
        assertThat(device.toString()).matches("/dev/loop\\d+");
        assertThat(deviceSize(device)).isEqualTo(16 * MIB);
        assertThat(Lab.run("losetup", "--list", "--noheadings", "--output", "DIO", device.toString()).strip())
                .as("direct I/O").isEqualTo("1");
        assertThat(loop.activate(volume)).as("activating twice attaches once").isEqualTo(device);

        assertThat(loop.extend(volume, 48 * MIB)).isEqualTo(48 * MIB);
        assertThat(loop.size(volume)).isEqualTo(48 * MIB);
        assertThat(deviceSize(device)).as("the device before refresh").isEqualTo(16 * MIB);

        assertThat(loop.refresh(volume)).isEqualTo(48 * MIB);
        assertThat(deviceSize(device)).isEqualTo(48 * MIB);
        writeThenReadTheLastBlock(device, volume);

        loop.deactivate(volume);
        assertThat(Lab.run("losetup", "-j", volumeFile(volume).toString())).isBlank();
        assertThat(Path.of("/sys/class/block", device.getFileName().toString(), "loop")).doesNotExist();
        loop.deactivate(volume); // deactivating an inactive volume does nothing
    }

    @Test
    void extendOnTheSpmIsIdempotentWhileAttached() throws Exception {
        VolumeRef volume = create(8 * MIB);
        Path device = loop.activate(volume);

        assertThat(loop.extend(volume, 4 * MIB)).isEqualTo(8 * MIB);
        assertThat(loop.refresh(volume)).isEqualTo(8 * MIB);
        assertThat(deviceSize(device)).isEqualTo(8 * MIB);
    }

    /** The grown space is usable through the device, and lands in the shared file. */
    void writeThenReadTheLastBlock(Path device, VolumeRef volume) throws Exception {
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        while (block.hasRemaining()) {
            block.put((byte) 0x5a);
        }
        block.flip();
        long last = 48 * MIB - DirectFile.BLOCK;
        try (DirectFile dev = DirectFile.open(device, true)) {
            dev.write(last, block);
        }
        ByteBuffer back = DirectFile.buffer(DirectFile.BLOCK);
        try (DirectFile file = DirectFile.open(volumeFile(volume), false)) {
            file.read(last, back);
        }
        assertThat(back).isEqualTo(block);
    }

    /** The size the kernel gives the block device, asked independently of the backend. */
    static long deviceSize(Path device) throws Exception {
        return Long.parseLong(Lab.run("blockdev", "--getsize64", device.toString()).strip());
    }

    Path volumeFile(VolumeRef volume) {
        return root.resolve(volume.domain() + "/images/" + volume.image() + "/" + volume.volume());
    }

    /** headroom:volume-create on a loop domain: a thin qcow2 on the device, the volume left inactive. */
    @Test
    void aVolumeCreatedByTheAgentIsAQcow2OnItsLoopDeviceAndLeftInactive() throws Exception {
        org.headroom.api.spm.SpmRole spm = org.headroom.testing.FixedSpmRole.thisHost(1);
        DomainSet storage = DomainSet.of(root.resolve("run"), domain);
        CreatedVolume v = new org.headroom.storage.internal.VolumeCreation(storage,
                new org.headroom.storage.internal.ProcessCommandRunner(java.time.Duration.ofSeconds(60)), spm)
                .create(domain.uuid(), 20L << 30, "qcow2", 64 * MIB);
        created.add(v.volume());
        assertThat(Lab.run("losetup", "-j", volumeFile(v.volume()).toString()).strip()).as("left inactive").isEmpty();
        assertThat(Files.size(volumeFile(v.volume()))).isEqualTo(64 * MIB);

        Path link = storage.prepare(v.volume());
        assertThat(link).isEqualTo(v.runPath());
        String info = Lab.run(Lab.QEMU_IMG, "info", "--output=json", link.toString());
        assertThat(info).contains("\"format\": \"qcow2\"", "\"virtual-size\": " + (20L << 30));
        storage.teardown(v.volume());
    }
}
