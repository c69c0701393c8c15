package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.InputStream;
import java.util.List;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.qmp.QmpJson;
import org.headroom.qmp.types.BlockDeviceInfo;
import org.headroom.qmp.types.BlockInfo;
import org.headroom.qmp.types.BlockStats;
import org.junit.jupiter.api.Test;

/** Replies captured from QEMU 7.2: a 64 MiB qcow2 on a 16 MiB loop device, 4 MiB written at offset 0. */
class QemuDrivesTest {

    private static <T> T load(String name, TypeReference<T> type) throws Exception {
        try (InputStream in = QemuDrivesTest.class.getResourceAsStream("/qemu-7.2/" + name)) {
            return QmpJson.MAPPER.readValue(in, type);
        }
    }

    @Test
    void readsAThinQcow2DriveOnABlockVolume() throws Exception {
        List<BlockInfo> devices = load("query-block.json", new TypeReference<>() { });
        List<BlockStats> stats = load("query-blockstats.json", new TypeReference<>() { });
        List<BlockDeviceInfo> nodes = load("query-named-block-nodes.json", new TypeReference<>() { });

        List<DriveInfo> drives = QemuDrives.read("vm1", devices, stats, nodes);

        assertThat(drives).containsExactly(new DriveInfo(new DriveRef("vm1", "vd0"), "qcow2", "/dev/loop0", "f0",
                64L << 20, 16L << 20, 4521984, 0, "ok"));
        assertThat(drives.get(0).thin()).isTrue();
        assertThat(QemuDrives.nodeIndex(drives, devices, "vm1"))
                .containsEntry("f0", new DriveRef("vm1", "vd0"))
                .containsEntry("q0", new DriveRef("vm1", "vd0"));
    }

    @Test
    void namesDrivesByDeviceThenQdevIdThenNode() {
        BlockDeviceInfo node = new BlockDeviceInfo("/f", "q9", false, "qcow2", null, null, 0);
        assertThat(QemuDrives.driveName(new BlockInfo("drive-virtio0", "x", false, false, node, "ok"))).isEqualTo("drive-virtio0");
        assertThat(QemuDrives.driveName(new BlockInfo("", "/machine/peripheral/vd3/virtio-backend", false, false, node, "ok")))
                .isEqualTo("vd3");
        assertThat(QemuDrives.driveName(new BlockInfo("", "", false, false, node, "ok"))).isEqualTo("q9");
    }

    @Test
    void skipsReadOnlyAndEmptyDevices() {
        BlockDeviceInfo ro = new BlockDeviceInfo("/boot.img", "b0", true, "raw", null, null, 0);
        List<BlockInfo> devices = List.of(new BlockInfo("", "/machine/peripheral/cd/x", true, false, null, "ok"),
                new BlockInfo("", "/machine/peripheral/boot/x", false, false, ro, "ok"));
        assertThat(QemuDrives.read("vm", devices, List.of(), List.of())).isEmpty();
    }
}
