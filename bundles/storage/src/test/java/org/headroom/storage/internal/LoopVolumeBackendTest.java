package org.headroom.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.UUID;
import org.headroom.api.storage.VolumeRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop backend's use of losetup, against a recording fake; LoopBackendIT runs the real one. */
class LoopVolumeBackendTest {
    static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    final UUID sd = UUID.randomUUID();
    final VolumeRef ref = new VolumeRef(sd, UUID.randomUUID(), UUID.randomUUID());
    final RecordingCommandRunner losetup = new RecordingCommandRunner();

    @Test
    void parsesTheDevicesLosetupListsForAFile() {
        String out = "/dev/loop3: [65024]:2154990 (/var/lib/headroom/storage/x/images/y/z)\n"
                + "/dev/loop12: [65024]:2154990 (/var/lib/headroom/storage/x/images/y/z)\n";

        assertThat(LoopVolumeBackend.parseDevices(out)).containsExactly("/dev/loop3", "/dev/loop12");
        assertThat(LoopVolumeBackend.parseDevices("")).isEmpty();
    }

    @Test
    void activatingAnInactiveVolumeAttachesItWithDirectIo() {
        LoopVolumeBackend backend = new LoopVolumeBackend(sd, dir, losetup);
        backend.create(ref, MIB);
        Path file = backend.file(ref);
        losetup.answer("losetup --find --show --direct-io=on " + file, "/dev/loop4\n");

        assertThat(backend.activate(ref)).isEqualTo(Path.of("/dev/loop4"));
        // Whether a device holds the file already is read from sysfs (LoopBackendIT activates twice).
        assertThat(losetup.commands()).containsExactly("losetup --find --show --direct-io=on " + file);
    }

    @Test
    void refreshingAnInactiveVolumeReadsItsFile() {
        LoopVolumeBackend backend = new LoopVolumeBackend(sd, dir, losetup);
        backend.create(ref, 3 * MIB);

        assertThat(backend.refresh(ref)).isEqualTo(3 * MIB);
        assertThat(losetup.commands()).as("devices are found in sysfs, no process").isEmpty();
    }

    @Test
    void deactivateDetachesEveryDeviceOfTheFile() {
        LoopVolumeBackend backend = new LoopVolumeBackend(sd, dir, losetup);
        backend.create(ref, MIB);
        Path file = backend.file(ref);
        losetup.answer("losetup -j " + file, "/dev/loop1: [1]:2 (" + file + ")\n/dev/loop2: [1]:2 (" + file + ")\n");

        backend.deactivate(ref);

        assertThat(losetup.commands()).containsExactly("losetup -j " + file, "losetup -d /dev/loop1", "losetup -d /dev/loop2");
    }
}
