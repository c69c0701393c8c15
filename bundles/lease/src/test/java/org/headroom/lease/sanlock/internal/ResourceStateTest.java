package org.headroom.lease.sanlock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.headroom.lease.sanlock.Disk;
import org.headroom.lease.sanlock.Resource;
import org.junit.jupiter.api.Test;

class ResourceStateTest {
    @Test
    void nothingHeldIsNoLease() {
        assertThat(ResourceState.parse(null)).isEmpty();
        assertThat(ResourceState.parse("")).isEmpty();
    }

    @Test
    void leasesAreSeparatedBySpaces() {
        assertThat(ResourceState.parse("SD:SDM:/rhev/leases:1048576:7 SD:vol:/rhev/vol.lease:0:1")).containsExactly(
                new Resource("SD", "SDM", List.of(new Disk("/rhev/leases", 1048576)), 7, false, false),
                new Resource("SD", "vol", List.of(new Disk("/rhev/vol.lease", 0)), 1, false, false));
    }

    @Test
    void aSharedLeaseHasNoVersion() {
        assertThat(ResourceState.parse("ls:r:/a:0:SH")).containsExactly(
                new Resource("ls", "r", List.of(new Disk("/a", 0)), 0, true, false));
    }

    @Test
    void severalDisksFollowEachOther() {
        assertThat(ResourceState.parse("ls:r:/a:0:/b:2097152:3").get(0).disks())
                .containsExactly(new Disk("/a", 0), new Disk("/b", 2097152));
    }

    @Test
    void escapedColonsAndSpacesStayInThePath() {
        assertThat(ResourceState.parse("ls:r:/mnt/a\\:b\\ c:512:2 ls:s:/x:0:1")).containsExactly(
                new Resource("ls", "r", List.of(new Disk("/mnt/a:b c", 512)), 2, false, false),
                new Resource("ls", "s", List.of(new Disk("/x", 0)), 1, false, false));
    }

    @Test
    void aFullLengthNameRunsOnIntoTheNextFieldAndIsCutBack() {
        String ls = "l".repeat(48);
        String name = "n".repeat(48);
        // what sanlock 3.8.5 prints: the lockspace name runs into the resource name, which runs
        // into the low byte of version 1
        assertThat(ResourceState.parse(ls + name + "\u0001:" + name + "\u0001:/a:0:1")).containsExactly(
                new Resource(ls, name, List.of(new Disk("/a", 0)), 1, false, false));
    }

    @Test
    void malformedStatesAreRefused() {
        assertThatThrownBy(() -> ResourceState.parse("ls:r:/a:0")).hasMessageContaining("is not lockspace:name:path:offset");
        assertThatThrownBy(() -> ResourceState.parse("ls:r:/a:0:1:2")).hasMessageContaining("is not lockspace:name");
        assertThatThrownBy(() -> ResourceState.parse("ls:r:/a:x:1")).hasMessageContaining("'x' in 'ls:r:/a:x:1' is not a number");
        assertThatThrownBy(() -> ResourceState.parse("ls:r:/a:0:-1")).hasMessageContaining("is not a number");
        assertThatThrownBy(() -> ResourceState.parse("ls:r:/a:0:18446744073709551615")).hasMessageContaining("is not a number");
        assertThatThrownBy(() -> ResourceState.parse("ls:r:/a:0:1\\")).hasMessageContaining("lone backslash");
        assertThatThrownBy(() -> ResourceState.parse("ls::/a:0:1")).hasMessageContaining("resource name is empty");
    }
}
