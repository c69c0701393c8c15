package org.headroom.lease.sanlock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.junit.jupiter.api.Test;

/** The struct layouts against the sizes and offsets of sanlock.h (x86_64), field by field. */
class StructsTest {
    private static final Disk DISK = new Disk("/dev/vg/leases", 3L << 20);

    @Test
    void sizesAndOffsetsAreSanlocks() {
        // sanlk_disk: path[1024], u64 offset, u32 pad1, u32 pad2
        assertThat(List.of(Structs.DISK_SIZE, Structs.DISK_PATH, Structs.DISK_OFFSET, Structs.DISK_PAD1, Structs.DISK_PAD2))
                .containsExactly(1040, 0, 1024, 1032, 1036);
        // sanlk_resource: 128 bytes, then num_disks sanlk_disk
        assertThat(List.of(Structs.RESOURCE_SIZE, Structs.RES_LOCKSPACE_NAME, Structs.RES_NAME, Structs.RES_LVER,
                Structs.RES_DATA64, Structs.RES_DATA32, Structs.RES_UNUSED, Structs.RES_FLAGS, Structs.RES_NUM_DISKS,
                Structs.RES_DISKS)).containsExactly(128, 0, 48, 96, 104, 112, 116, 120, 124, 128);
        assertThat(Structs.resourceSize(1)).isEqualTo(128 + 1040);
        assertThat(Structs.resourceSize(4)).isEqualTo(128 + 4 * 1040);
        // sanlk_lockspace: name[48], u64 host_id, u32 flags, 4 bytes of padding, sanlk_disk
        assertThat(List.of(Structs.LOCKSPACE_SIZE, Structs.LS_NAME, Structs.LS_HOST_ID, Structs.LS_FLAGS, Structs.LS_HOST_ID_DISK))
                .containsExactly(1104, 0, 48, 56, 64);
        // sanlk_options: owner_name[48], u32 flags, u32 len
        assertThat(List.of(Structs.OPTIONS_SIZE, Structs.OPT_OWNER_NAME, Structs.OPT_FLAGS, Structs.OPT_LEN))
                .containsExactly(56, 0, 48, 52);
        // sanlk_host: u64 host_id, generation, timestamp, u32 io_timeout, flags
        assertThat(List.of(Structs.HOST_SIZE, Structs.HOST_ID, Structs.HOST_GENERATION, Structs.HOST_TIMESTAMP,
                Structs.HOST_IO_TIMEOUT, Structs.HOST_FLAGS)).containsExactly(32, 0, 8, 16, 24, 28);
    }

    @Test
    void aResourceIsLaidOutFieldByField() {
        Resource r = new Resource("SD-1", "vol-7", List.of(DISK, new Disk("/b", 1L << 20)), 42, true, true);
        ByteBuffer b = Structs.resource(r, Structs.ALIGN_1M | Structs.SECTOR_512);
        assertThat(b.capacity()).isEqualTo(128 + 2 * 1040);
        assertThat(b.order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(Fields.get(b, 0, 48)).isEqualTo("SD-1");
        assertThat(Fields.get(b, 48, 48)).isEqualTo("vol-7");
        assertThat(b.getLong(96)).isEqualTo(42);
        assertThat(b.getLong(104)).isZero();
        assertThat(b.getInt(112)).isZero();
        assertThat(b.getInt(116)).isZero();
        // LVER (a version is set) | SHARED | PERSISTENT | ALIGN1M | SECTOR512
        assertThat(b.getInt(120)).isEqualTo(0x1 | 0x4 | 0x8 | 0x10 | 0x100);
        assertThat(b.getInt(124)).isEqualTo(2);
        assertThat(Fields.get(b, 128, 1024)).isEqualTo("/dev/vg/leases");
        assertThat(b.getLong(128 + 1024)).isEqualTo(3L << 20);
        assertThat(b.getInt(128 + 1032)).isZero();
        assertThat(b.getInt(128 + 1036)).isZero();
        assertThat(Fields.get(b, 128 + 1040, 1024)).isEqualTo("/b");
        assertThat(b.getLong(128 + 1040 + 1024)).isEqualTo(1L << 20);
        assertThat(Structs.getDisk(b, 128 + 1040)).isEqualTo(new Disk("/b", 1L << 20));
    }

    @Test
    void anyVersionSetsNoLverFlag() {
        ByteBuffer b = Structs.resource(Resource.of("ls", "r", DISK), 0);
        assertThat(b.getInt(Structs.RES_FLAGS)).isZero();
        assertThat(b.getLong(Structs.RES_LVER)).isZero();
    }

    @Test
    void aLockspaceHasFourBytesOfPaddingBeforeItsDisk() {
        ByteBuffer b = Structs.lockspace(new Lockspace("SD-1", 250, DISK), Structs.ALIGN_8M | Structs.SECTOR_4K);
        assertThat(b.capacity()).isEqualTo(1104);
        assertThat(Fields.get(b, 0, 48)).isEqualTo("SD-1");
        assertThat(b.getLong(48)).isEqualTo(250);
        assertThat(b.getInt(56)).isEqualTo(0x80 | 0x200);
        assertThat(b.getInt(60)).isZero();
        assertThat(Fields.get(b, 64, 1024)).isEqualTo("/dev/vg/leases");
        assertThat(b.getLong(64 + 1024)).isEqualTo(3L << 20);
        assertThat(Structs.lockspaceName(b)).isEqualTo("SD-1");
    }

    @Test
    void aLockspaceOfADiskAloneHasNoName() {
        ByteBuffer b = Structs.lockspaceDisk(DISK, 0);
        assertThat(b.get(0)).isZero();
        assertThat(b.getLong(48)).isZero();
        assertThat(Structs.getDisk(b, 64)).isEqualTo(DISK);
        ByteBuffer r = Structs.resourceDisk(DISK, Structs.ALIGN_1M | Structs.SECTOR_512);
        assertThat(r.capacity()).isEqualTo(128 + 1040);
        assertThat(r.getInt(124)).isEqualTo(1);
        assertThat(r.getInt(120)).isEqualTo(0x110);
        assertThat(Structs.getDisk(r, 128)).isEqualTo(DISK);
    }

    @Test
    void aNameOf48BytesFillsItsFieldWithoutNul() {
        String name = "n".repeat(48);
        ByteBuffer b = Structs.resource(Resource.of("l".repeat(48), name, DISK), 0);
        for (int i = 0; i < 48; i++) {
            assertThat(b.get(i)).isEqualTo((byte) 'l');
            assertThat(b.get(48 + i)).isEqualTo((byte) 'n');
        }
        assertThat(Structs.resourceOnDisk(with(b, Structs.RES_FLAGS, Structs.ALIGN_1M | Structs.SECTOR_512)))
                .isEqualTo(new ResourceOnDisk("l".repeat(48), name, 0, Geometry.SECTOR_512_ALIGN_1M));
    }

    @Test
    void aShorterNameIsZeroPadded() {
        ByteBuffer b = Structs.allocate(128 + 1040);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0x55);
        }
        Structs.putDisk(b, 128, new Disk("/x", 0));
        assertThat(b.get(128 + 2)).isZero();
        assertThat(b.get(128 + 1023)).isZero();
    }

    @Test
    void namesAreCountedInBytesOfUtf8() {
        String e24 = "é".repeat(24); // 48 bytes
        assertThat(Resource.of("ls", e24, DISK).name()).isEqualTo(e24);
        assertThat(Fields.get(Structs.resource(Resource.of("ls", e24, DISK), 0), 48, 48)).isEqualTo(e24);
        assertThatThrownBy(() -> Resource.of("ls", "é".repeat(25), DISK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is 50 bytes of UTF-8: sanlock allows at most 48");
        assertThatThrownBy(() -> new Lockspace("x".repeat(49), 1, DISK))
                .hasMessageContaining("lockspace name").hasMessageContaining("49 bytes");
        assertThatThrownBy(() -> Structs.options("o".repeat(49))).hasMessageContaining("owner name");
    }

    @Test
    void namesRefuseWhatSanlocksStringsCannotCarry() {
        assertThatThrownBy(() -> Resource.of("ls", "", DISK)).hasMessageContaining("resource name is empty");
        assertThatThrownBy(() -> Resource.of("ls", "a:b", DISK)).hasMessageContaining("contains a ':'");
        assertThatThrownBy(() -> Resource.of("ls", "a b", DISK)).hasMessageContaining("white space");
        assertThatThrownBy(() -> Resource.of("l\0s", "ab", DISK)).hasMessageContaining("a NUL");
    }

    @Test
    void pathsKeepRoomForTheirNul() {
        String longest = "/" + "p".repeat(1022);
        ByteBuffer b = Structs.disk(new Disk(longest, 0));
        assertThat(Fields.get(b, 0, 1024)).isEqualTo(longest);
        assertThat(b.get(1023)).isZero();
        assertThatThrownBy(() -> new Disk("/" + "p".repeat(1023), 0))
                .hasMessageContaining("disk path is 1024 bytes of UTF-8: sanlock allows at most 1023");
        assertThatThrownBy(() -> new Disk("", 0)).hasMessageContaining("disk path is empty");
        assertThatThrownBy(() -> new Disk("/a\0b", 0)).hasMessageContaining("NUL");
        assertThatThrownBy(() -> new Disk("/a", -1)).hasMessageContaining("negative");
        assertThatThrownBy(() -> Fields.helper("killpath program", "/" + "x".repeat(127))).hasMessageContaining("at most 127");
    }

    @Test
    void optionsCarryTheOwnerName() {
        ByteBuffer b = Structs.options("headroom");
        assertThat(b.capacity()).isEqualTo(56);
        assertThat(Fields.get(b, 0, 48)).isEqualTo("headroom");
        assertThat(b.getInt(48)).isZero();
        assertThat(b.getInt(52)).isZero();
    }

    @Test
    void hostsDecodeWithTheirStates() {
        ByteBuffer b = Structs.allocate(2 * 32);
        host(b, 0, 1, 3, 5000, 1, 0x3);
        host(b, 32, 250, 7, 0, 10, 0x105); // bits above the state mask are not the state
        assertThat(Structs.hosts(b, 2)).containsExactly(
                new Host(1, 3, 5000, 1, HostState.LIVE), new Host(250, 7, 0, 10, HostState.DEAD));
        ByteBuffer bad = Structs.allocate(32);
        host(bad, 0, 1, 1, 1, 1, 0x6);
        assertThatThrownBy(() -> Structs.hosts(bad, 1)).hasMessageContaining("sanlk_host.flags 0x6 has no host state");
        assertThat(Structs.owners(b, 2)).containsExactly(new Owner(1, 3, 5000), new Owner(250, 7, 0));
    }

    @Test
    void lockspacesDecodeWithJoiningAndLeaving() {
        ByteBuffer b = Structs.allocate(2 * 1104);
        b.put(0, Structs.lockspace(new Lockspace("a", 1, DISK), Structs.LSF_ADD), 0, 1104);
        b.put(1104, Structs.lockspace(new Lockspace("b", 2, new Disk("/ids", 0)), Structs.LSF_REM), 0, 1104);
        assertThat(Structs.lockspaces(b, 2)).containsExactly(
                new LockspaceInfo(new Lockspace("a", 1, DISK), true, false),
                new LockspaceInfo(new Lockspace("b", 2, new Disk("/ids", 0)), false, true));
    }

    @Test
    void geometriesRoundTripThroughTheirFlags() {
        for (Geometry g : List.of(Geometry.SECTOR_512_ALIGN_1M, Geometry.SECTOR_4K_ALIGN_1M, Geometry.SECTOR_4K_ALIGN_2M,
                Geometry.SECTOR_4K_ALIGN_4M, Geometry.SECTOR_4K_ALIGN_8M)) {
            assertThat(Structs.geometry(Structs.geometryFlags(g) | Structs.LSF_ADD)).isEqualTo(g);
        }
        assertThat(Structs.geometryFlags(Geometry.SECTOR_512_ALIGN_1M)).isEqualTo(0x110);
        assertThat(Structs.geometryFlags(Geometry.SECTOR_4K_ALIGN_2M)).isEqualTo(0x220);
        assertThat(Structs.geometryFlags(null)).isZero();
        assertThatThrownBy(() -> Structs.geometry(0)).hasMessageContaining("do not name one alignment and one sector size");
        assertThatThrownBy(() -> Structs.geometry(0x10 | 0x20 | 0x100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Structs.geometry(0x20 | 0x100)).hasMessageContaining("no area of 512-byte sectors aligned to 2 MiB");
    }

    private static void host(ByteBuffer b, int at, long id, long generation, long timestamp, int io, int flags) {
        b.putLong(at, id).putLong(at + 8, generation).putLong(at + 16, timestamp).putInt(at + 24, io).putInt(at + 28, flags);
    }

    private static ByteBuffer with(ByteBuffer b, int at, int value) {
        b.putInt(at, value);
        return b;
    }
}
