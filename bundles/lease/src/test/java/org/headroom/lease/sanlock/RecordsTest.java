package org.headroom.lease.sanlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordsTest {
    private static final Disk DISK = new Disk("/leases", 0);

    @Test
    void onlySanlocksFiveGeometriesExist() {
        assertThat(Geometry.SECTOR_512_ALIGN_1M.maxHosts()).isEqualTo(2000);
        assertThat(Geometry.SECTOR_4K_ALIGN_1M.maxHosts()).isEqualTo(250);
        assertThat(Geometry.SECTOR_4K_ALIGN_2M.maxHosts()).isEqualTo(500);
        assertThat(Geometry.SECTOR_4K_ALIGN_4M.maxHosts()).isEqualTo(1000);
        assertThat(Geometry.SECTOR_4K_ALIGN_8M.maxHosts()).isEqualTo(2000);
        assertThat(Geometry.SECTOR_4K_ALIGN_8M.alignmentBytes()).isEqualTo(8L << 20);
        assertThatThrownBy(() -> new Geometry(512, 8)).hasMessageContaining("no area of 512-byte sectors aligned to 8 MiB");
        assertThatThrownBy(() -> new Geometry(1024, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Geometry(4096, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLockspaceHostIdIsOneTo2000() {
        assertThat(new Lockspace("ls", 2000, DISK).hostId()).isEqualTo(2000);
        assertThatThrownBy(() -> new Lockspace("ls", 0, DISK)).hasMessageContaining("host id 0 of lockspace ls is not in 1..2000");
        assertThatThrownBy(() -> new Lockspace("ls", 2001, DISK)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aResourceHasOneToFourDisks() {
        assertThat(new Resource("ls", "r", Collections.nCopies(4, DISK), 0, false, false).disks()).hasSize(4);
        assertThatThrownBy(() -> new Resource("ls", "r", List.of(), 0, false, false)).hasMessageContaining("has 0 disks");
        assertThatThrownBy(() -> new Resource("ls", "r", Collections.nCopies(5, DISK), 0, false, false))
                .hasMessageContaining("sanlock takes 1 to 4");
        assertThatThrownBy(() -> Resource.of("ls", "r", DISK).withVersion(-1)).hasMessageContaining("negative");
    }

    @Test
    void withersChangeOneThing() {
        Resource r = Resource.of("ls", "r", DISK);
        assertThat(r.withVersion(3).version()).isEqualTo(3);
        assertThat(r.withShared(true).shared()).isTrue();
        assertThat(r.withPersistent(true).persistent()).isTrue();
        assertThat(r.withVersion(5)).hasToString("ls:r:[/leases:0]:5");
        assertThat(r.withShared(true)).hasToString("ls:r:[/leases:0]:SH");
    }

    @Test
    void hostStatesAreTheLowNibbleOfTheFlags() {
        assertThat(HostState.fromFlags(1)).isEqualTo(HostState.UNKNOWN);
        assertThat(HostState.fromFlags(0x12)).isEqualTo(HostState.FREE);
        assertThat(HostState.fromFlags(3)).isEqualTo(HostState.LIVE);
        assertThat(HostState.fromFlags(4)).isEqualTo(HostState.FAIL);
        assertThat(HostState.fromFlags(5)).isEqualTo(HostState.DEAD);
        assertThatThrownBy(() -> HostState.fromFlags(0)).hasMessageContaining("no host state");
    }

    @Test
    void versionsDecodeSanlocksWords() {
        assertThat(SanlockVersion.of(0x03080500, 0x00000001)).isEqualTo(new SanlockVersion(3, 8, 5, 0, 1));
        assertThat(SanlockVersion.of(0x03080500, 0x00010002)).hasToString("3.8.5 (protocol 1.2)");
    }

    @Test
    void callBoundsFollowTheIoTimeout() {
        assertThat(CallBounds.forIoTimeout(10)).isEqualTo(new CallBounds(Duration.ofSeconds(10), Duration.ofSeconds(90)));
        assertThat(CallBounds.forIoTimeout(1).io()).isEqualTo(Duration.ofSeconds(18));
        assertThatThrownBy(() -> CallBounds.forIoTimeout(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CallBounds(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
