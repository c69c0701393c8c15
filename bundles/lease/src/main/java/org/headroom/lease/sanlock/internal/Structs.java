package org.headroom.lease.sanlock.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.headroom.lease.sanlock.Disk;
import org.headroom.lease.sanlock.Geometry;
import org.headroom.lease.sanlock.Host;
import org.headroom.lease.sanlock.HostState;
import org.headroom.lease.sanlock.Lockspace;
import org.headroom.lease.sanlock.LockspaceInfo;
import org.headroom.lease.sanlock.Owner;
import org.headroom.lease.sanlock.Resource;
import org.headroom.lease.sanlock.ResourceOnDisk;

/**
 * sanlock's structs in memory, to and from the records: sizes and offsets of sanlock.h on LP64
 * (x86_64, aarch64), in the machine's byte order. No native calls: the buffers are direct so that
 * the binding hands their addresses to the library as they are.
 */
public final class Structs {
    // struct sanlk_disk
    public static final int DISK_SIZE = 1040;
    public static final int DISK_PATH = 0;
    public static final int DISK_OFFSET = 1024;
    public static final int DISK_PAD1 = 1032;
    public static final int DISK_PAD2 = 1036;
    // struct sanlk_resource, followed by num_disks sanlk_disk
    public static final int RESOURCE_SIZE = 128;
    public static final int RES_LOCKSPACE_NAME = 0;
    public static final int RES_NAME = 48;
    public static final int RES_LVER = 96;
    public static final int RES_DATA64 = 104;
    public static final int RES_DATA32 = 112;
    public static final int RES_UNUSED = 116;
    public static final int RES_FLAGS = 120;
    public static final int RES_NUM_DISKS = 124;
    public static final int RES_DISKS = 128;
    // struct sanlk_lockspace: 4 bytes of padding after flags align the disk's u64 offset
    public static final int LOCKSPACE_SIZE = 1104;
    public static final int LS_NAME = 0;
    public static final int LS_HOST_ID = 48;
    public static final int LS_FLAGS = 56;
    public static final int LS_HOST_ID_DISK = 64;
    // struct sanlk_options (len and str are ignored by the daemon)
    public static final int OPTIONS_SIZE = 56;
    public static final int OPT_OWNER_NAME = 0;
    public static final int OPT_FLAGS = 48;
    public static final int OPT_LEN = 52;
    // struct sanlk_host
    public static final int HOST_SIZE = 32;
    public static final int HOST_ID = 0;
    public static final int HOST_GENERATION = 8;
    public static final int HOST_TIMESTAMP = 16;
    public static final int HOST_IO_TIMEOUT = 24;
    public static final int HOST_FLAGS = 28;

    // flags: sanlock.h, sanlock_resource.h, sanlock_admin.h
    public static final int RES_LVER_SET = 0x1;
    public static final int RES_SHARED = 0x4;
    public static final int RES_PERSISTENT = 0x8;
    public static final int ALIGN_1M = 0x10;
    public static final int ALIGN_2M = 0x20;
    public static final int ALIGN_4M = 0x40;
    public static final int ALIGN_8M = 0x80;
    public static final int SECTOR_512 = 0x100;
    public static final int SECTOR_4K = 0x200;
    public static final int LSF_ADD = 0x1;
    public static final int LSF_REM = 0x2;
    private static final int ALIGN_MASK = ALIGN_1M | ALIGN_2M | ALIGN_4M | ALIGN_8M;
    private static final int SECTOR_MASK = SECTOR_512 | SECTOR_4K;

    private Structs() {
    }

    public static ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    /** The size of a sanlk_resource with {@code disks} disks. */
    public static int resourceSize(int disks) {
        return RESOURCE_SIZE + disks * DISK_SIZE;
    }

    public static void putDisk(ByteBuffer b, int at, Disk disk) {
        Fields.put(b, at + DISK_PATH, Fields.path("disk path", disk.path()), Fields.PATH_LEN);
        b.putLong(at + DISK_OFFSET, disk.offset());
        b.putInt(at + DISK_PAD1, 0);
        b.putInt(at + DISK_PAD2, 0);
    }

    public static Disk getDisk(ByteBuffer b, int at) {
        return new Disk(Fields.get(b, at + DISK_PATH, Fields.PATH_LEN), b.getLong(at + DISK_OFFSET));
    }

    public static ByteBuffer disk(Disk disk) {
        ByteBuffer b = allocate(DISK_SIZE);
        putDisk(b, 0, disk);
        return b;
    }

    /** A sanlk_resource with its disks; {@code extraFlags} adds SANLK_RES_ flags (align, sector). */
    public static ByteBuffer resource(Resource r, int extraFlags) {
        ByteBuffer b = allocate(resourceSize(r.disks().size()));
        Fields.put(b, RES_LOCKSPACE_NAME, Fields.name("lockspace name", r.lockspace()), Fields.NAME_LEN);
        Fields.put(b, RES_NAME, Fields.name("resource name", r.name()), Fields.NAME_LEN);
        b.putLong(RES_LVER, r.version());
        b.putLong(RES_DATA64, 0);
        b.putInt(RES_DATA32, 0);
        b.putInt(RES_UNUSED, 0);
        int flags = extraFlags | (r.version() != 0 ? RES_LVER_SET : 0) | (r.shared() ? RES_SHARED : 0)
                | (r.persistent() ? RES_PERSISTENT : 0);
        b.putInt(RES_FLAGS, flags);
        b.putInt(RES_NUM_DISKS, r.disks().size());
        for (int i = 0; i < r.disks().size(); i++) {
            putDisk(b, RES_DISKS + i * DISK_SIZE, r.disks().get(i));
        }
        return b;
    }

    /** A sanlk_resource naming only one disk, as read_resource takes it. */
    public static ByteBuffer resourceDisk(Disk disk, int flags) {
        ByteBuffer b = allocate(resourceSize(1));
        b.putInt(RES_FLAGS, flags);
        b.putInt(RES_NUM_DISKS, 1);
        putDisk(b, RES_DISKS, disk);
        return b;
    }

    /** A resource area as read_resource fills the fixed part of a sanlk_resource. */
    public static ResourceOnDisk resourceOnDisk(ByteBuffer b) {
        int flags = b.getInt(RES_FLAGS);
        return new ResourceOnDisk(Fields.get(b, RES_LOCKSPACE_NAME, Fields.NAME_LEN), Fields.get(b, RES_NAME, Fields.NAME_LEN),
                b.getLong(RES_LVER), geometry(flags));
    }

    /** A sanlk_lockspace; {@code flags} are SANLK_LSF_ flags (align, sector). */
    public static ByteBuffer lockspace(Lockspace ls, int flags) {
        ByteBuffer b = allocate(LOCKSPACE_SIZE);
        Fields.put(b, LS_NAME, Fields.name("lockspace name", ls.name()), Fields.NAME_LEN);
        b.putLong(LS_HOST_ID, ls.hostId());
        b.putInt(LS_FLAGS, flags);
        b.putInt(LS_FLAGS + 4, 0);
        putDisk(b, LS_HOST_ID_DISK, ls.disk());
        return b;
    }

    /** A sanlk_lockspace naming only a disk, as read_lockspace takes it. */
    public static ByteBuffer lockspaceDisk(Disk disk, int flags) {
        ByteBuffer b = allocate(LOCKSPACE_SIZE);
        b.putInt(LS_FLAGS, flags);
        putDisk(b, LS_HOST_ID_DISK, disk);
        return b;
    }

    public static String lockspaceName(ByteBuffer b) {
        return Fields.get(b, LS_NAME, Fields.NAME_LEN);
    }

    /** {@code count} sanlk_lockspace as get_lockspaces returns them. */
    public static List<LockspaceInfo> lockspaces(ByteBuffer b, int count) {
        List<LockspaceInfo> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * LOCKSPACE_SIZE;
            int flags = b.getInt(at + LS_FLAGS);
            Lockspace ls = new Lockspace(Fields.get(b, at + LS_NAME, Fields.NAME_LEN), b.getLong(at + LS_HOST_ID),
                    getDisk(b, at + LS_HOST_ID_DISK));
            out.add(new LockspaceInfo(ls, (flags & LSF_ADD) != 0, (flags & LSF_REM) != 0));
        }
        return out;
    }

    /** A sanlk_options naming the registration's owner (shown by {@code sanlock client status}). */
    public static ByteBuffer options(String ownerName) {
        ByteBuffer b = allocate(OPTIONS_SIZE);
        Fields.put(b, OPT_OWNER_NAME, Fields.name("owner name", ownerName), Fields.NAME_LEN);
        b.putInt(OPT_FLAGS, 0);
        b.putInt(OPT_LEN, 0);
        return b;
    }

    /** {@code count} sanlk_host as get_hosts returns them. */
    public static List<Host> hosts(ByteBuffer b, int count) {
        List<Host> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * HOST_SIZE;
            int flags = b.getInt(at + HOST_FLAGS);
            out.add(new Host(b.getLong(at + HOST_ID), b.getLong(at + HOST_GENERATION), b.getLong(at + HOST_TIMESTAMP),
                    b.getInt(at + HOST_IO_TIMEOUT), HostState.fromFlags(flags)));
        }
        return out;
    }

    /** {@code count} sanlk_host as read_resource_owners returns them (no state: flags are 0). */
    public static List<Owner> owners(ByteBuffer b, int count) {
        List<Owner> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * HOST_SIZE;
            out.add(new Owner(b.getLong(at + HOST_ID), b.getLong(at + HOST_GENERATION), b.getLong(at + HOST_TIMESTAMP)));
        }
        return out;
    }

    /** SANLK_RES_/LSF_ align and sector flags of a geometry; 0 for none (sanlock's defaults). */
    public static int geometryFlags(Geometry g) {
        if (g == null) {
            return 0;
        }
        int align = switch (g.alignmentMiB()) {
            case 1 -> ALIGN_1M;
            case 2 -> ALIGN_2M;
            case 4 -> ALIGN_4M;
            default -> ALIGN_8M;
        };
        return align | (g.sectorSize() == 512 ? SECTOR_512 : SECTOR_4K);
    }

    /** The geometry in a flags word; refused unless exactly one align and one sector flag are set. */
    public static Geometry geometry(int flags) {
        int align = flags & ALIGN_MASK;
        int sector = flags & SECTOR_MASK;
        if (Integer.bitCount(align) != 1 || Integer.bitCount(sector) != 1) {
            throw new IllegalArgumentException("flags 0x" + Integer.toHexString(flags)
                    + " do not name one alignment and one sector size");
        }
        int mib = switch (align) {
            case ALIGN_1M -> 1;
            case ALIGN_2M -> 2;
            case ALIGN_4M -> 4;
            default -> 8;
        };
        return new Geometry(sector == SECTOR_512 ? 512 : 4096, mib);
    }

    /** A NUL-terminated C string of at most {@code max} bytes, zero-padded to {@code max}. */
    public static ByteBuffer cString(byte[] bytes, int max) {
        ByteBuffer b = allocate(max);
        Fields.put(b, 0, bytes, max);
        return b;
    }
}
