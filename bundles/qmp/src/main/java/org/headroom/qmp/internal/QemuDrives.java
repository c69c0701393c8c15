package org.headroom.qmp.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.qmp.types.BlockDeviceInfo;
import org.headroom.qmp.types.BlockInfo;
import org.headroom.qmp.types.BlockStats;

/**
 * Reads a VM's drives out of three QMP replies. Pure.
 *
 * <p>For a qcow2 image on a volume, QEMU has a format node (qcow2) over a protocol node
 * (host_device or file). The protocol node's offsets are the volume's: its write threshold is the
 * one to arm, its size is the volume's physical size, and its highest written offset
 * ({@code wr_highest_offset} in query-blockstats' {@code parent}) is the allocation.
 */
public final class QemuDrives {
    private static final String PERIPHERAL = "/machine/peripheral/";

    private QemuDrives() {
    }

    public static List<DriveInfo> read(String vm, List<BlockInfo> devices, List<BlockStats> stats,
                                       List<BlockDeviceInfo> nodes) {
        Map<String, BlockDeviceInfo> nodesByName = new HashMap<>();
        for (BlockDeviceInfo n : nodes) {
            if (n.nodeName() != null) {
                nodesByName.put(n.nodeName(), n);
            }
        }
        Map<String, BlockStats> statsByNode = new HashMap<>();
        for (BlockStats s : stats) {
            if (s.nodeName() != null) {
                statsByNode.put(s.nodeName(), s);
            }
        }
        List<DriveInfo> drives = new ArrayList<>();
        for (BlockInfo device : devices) {
            BlockDeviceInfo top = device.inserted();
            if (top == null || top.ro() || top.nodeName() == null) {
                continue;
            }
            BlockStats topStats = statsByNode.get(top.nodeName());
            BlockStats protocol = topStats == null ? null : topStats.parent();
            // Raw images have no separate protocol node worth arming: the top node is the volume.
            String armedNode = protocol != null && protocol.nodeName() != null ? protocol.nodeName() : top.nodeName();
            BlockDeviceInfo volume = nodesByName.getOrDefault(armedNode, top);
            long allocation = protocol != null && protocol.stats() != null ? protocol.stats().wrHighestOffset()
                    : topStats != null && topStats.stats() != null ? topStats.stats().wrHighestOffset() : 0;
            long capacity = top.image() == null ? 0 : top.image().virtualSize();
            long physical = volume.image() == null ? 0 : volume.image().virtualSize();
            String path = volume.file() != null ? volume.file() : top.file();
            drives.add(new DriveInfo(new DriveRef(vm, driveName(device)), top.drv(), path, armedNode,
                    capacity, physical, allocation, volume.writeThreshold(),
                    device.ioStatus() == null ? "ok" : device.ioStatus()));
        }
        return drives;
    }

    /**
     * The name a user knows the drive by: the legacy device name when there is one, else the
     * qdev id ("vd0" of "/machine/peripheral/vd0/virtio-backend"), else the qdev path.
     */
    public static String driveName(BlockInfo device) {
        if (device.device() != null && !device.device().isEmpty()) {
            return device.device();
        }
        String qdev = device.qdev() == null ? "" : device.qdev();
        if (qdev.startsWith(PERIPHERAL)) {
            String rest = qdev.substring(PERIPHERAL.length());
            int slash = rest.indexOf('/');
            return slash < 0 ? rest : rest.substring(0, slash);
        }
        return qdev.isEmpty() ? device.inserted().nodeName() : qdev;
    }

    /**
     * Every node name that identifies a drive in events: the armed (protocol) node in
     * BLOCK_WRITE_THRESHOLD, the format node in BLOCK_IO_ERROR.
     */
    public static Map<String, DriveRef> nodeIndex(List<DriveInfo> drives, List<BlockInfo> devices, String vm) {
        Map<String, DriveRef> index = new HashMap<>();
        for (DriveInfo d : drives) {
            index.put(d.nodeName(), d.ref());
        }
        for (BlockInfo device : devices) {
            if (device.inserted() != null && device.inserted().nodeName() != null) {
                index.putIfAbsent(device.inserted().nodeName(), new DriveRef(vm, driveName(device)));
            }
        }
        return index;
    }
}
