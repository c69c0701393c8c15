package org.headroom.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.UUID;
import org.headroom.api.spm.SpmRole;
import org.headroom.testing.FixedSpmRole;
import org.headroom.api.storage.StorageException;
import org.headroom.storage.CreatedVolume;
import org.headroom.storage.DiskSize;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Lab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volume creation with the real qemu-img, on a file domain. */
class VolumeCreationTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path root;

    static SpmRole role(boolean held, int host) {
        return new FixedSpmRole(held, host);
    }

    private final UUID domain = UUID.randomUUID();

    private DomainSet storage() {
        return DomainSet.of(root.resolve("run"), FileStorageDomain.create(root.resolve("sd"), domain, "file"));
    }

    private VolumeCreation creation(SpmRole role) {
        return new VolumeCreation(storage(), new ProcessCommandRunner(ProcessCommandRunner.DEFAULT_TIMEOUT), role);
    }

    private static JsonNode info(Path file) throws Exception {
        return new ObjectMapper().readTree(Lab.run(Lab.QEMU_IMG, "info", "--output=json", file.toString()));
    }

    @Test
    void aThinVolumeIsAQcow2OfTheCapacityOnAVolumeOfOneChunk() throws Exception {
        VolumeCreation c = creation(role(true, 1));
        CreatedVolume v = c.create(domain, DiskSize.parse("20G"), "qcow2", 0);

        assertThat(v.size()).isEqualTo(2560 * MIB);
        assertThat(v.runPath()).isEqualTo(root.resolve("run").toAbsolutePath().resolve(domain + "/" + v.volume().image() + "/" + v.volume().volume()));
        Path file = root.resolve("sd/" + domain + "/images/" + v.volume().image() + "/" + v.volume().volume());
        JsonNode info = info(file);
        assertThat(info.path("format").asText()).isEqualTo("qcow2");
        assertThat(info.path("virtual-size").asLong()).isEqualTo(20L << 30);
        org.headroom.api.storage.VolumeMetadata md = storage().domains().get(0).metadata(v.volume());
        assertThat(md.legality()).isEqualTo(org.headroom.api.storage.VolumeMetadata.Legality.LEGAL);
        assertThat(md.capacity()).isEqualTo(20L << 30);
        assertThat(md.format()).isEqualTo(org.headroom.api.storage.VolumeMetadata.Format.COW);
        assertThat(md.generation()).isZero();
    }

    @Test
    void aSmallDiskStartsAtItsCapacityAndRawIsPreallocated() throws Exception {
        VolumeCreation c = creation(role(true, 1));
        assertThat(c.create(domain, 512 * MIB, "qcow2", 0).size()).isEqualTo(512 * MIB);
        assertThat(c.create(domain, 2 * MIB * 1024, "qcow2", 64 * MIB).size()).isEqualTo(64 * MIB);
        CreatedVolume raw = c.create(domain, 100 * MIB, "raw", 0);
        assertThat(raw.size()).isEqualTo(100 * MIB);
    }

    @Test
    void onlyTheSpmCreatesVolumesAndSaysWhoIs() {
        VolumeCreation notSpm = creation(role(false, 3));
        assertThatThrownBy(() -> notSpm.create(domain, 20L << 30, "qcow2", 0)).isInstanceOf(StorageException.class)
                .hasMessageContaining("not the SPM (the SPM is host 3)");
        VolumeCreation unknown = new VolumeCreation(storage(),
                new ProcessCommandRunner(ProcessCommandRunner.DEFAULT_TIMEOUT), null);
        assertThatThrownBy(() -> unknown.create(domain, 20L << 30, "qcow2", 0)).hasMessageContaining("no SPM role");
        assertThatThrownBy(() -> creation(role(true, 1)).create(UUID.randomUUID(), 20L << 30, "qcow2", 0))
                .hasMessageContaining("not connected");
        assertThat(storage().domains().get(0).listVolumes()).as("nothing was created").isEmpty();
    }

    @Test
    void sizesAreReadAsAnAdminWritesThem() {
        assertThat(DiskSize.parse("20G")).isEqualTo(20L << 30);
        assertThat(DiskSize.parse("512m")).isEqualTo(512 * MIB);
        assertThat(DiskSize.parse("1536")).isEqualTo(1536 * MIB);
        assertThat(DiskSize.parse("1 TiB")).isEqualTo(1L << 40);
        assertThatThrownBy(() -> DiskSize.parse("big")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> DiskSize.parse("0G")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> DiskSize.parse("99999999999T")).hasMessageContaining("out of range");
    }
}
