package org.headroom.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.testing.Lab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileVolumeBackendTest {
    static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    final UUID sd = UUID.randomUUID();
    final VolumeRef ref = new VolumeRef(sd, UUID.randomUUID(), UUID.randomUUID());

    FileVolumeBackend backend() {
        return new FileVolumeBackend(sd, dir);
    }

    @Test
    void createMakesASparseFileOfWholeMib() throws Exception {
        FileVolumeBackend backend = backend();
        backend.create(ref, 3 * MIB + 1);

        Path file = dir.resolve("images/" + ref.image() + "/" + ref.volume());
        assertThat(backend.file(ref)).isEqualTo(file);
        assertThat(Files.size(file)).isEqualTo(4 * MIB);
        assertThat(allocated(file)).as("bytes allocated").isLessThan(MIB);
        assertThat(backend.exists(ref)).isTrue();
        assertThat(backend.size(ref)).isEqualTo(4 * MIB);
    }

    @Test
    void createRefusesAnExistingVolume() {
        FileVolumeBackend backend = backend();
        backend.create(ref, MIB);

        assertThatThrownBy(() -> backend.create(ref, 2 * MIB))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("exists already");
        assertThat(backend.size(ref)).isEqualTo(MIB);
    }

    @Test
    void extendGrowsToWholeMibAndIsIdempotent() {
        FileVolumeBackend backend = backend();
        backend.create(ref, MIB);

        assertThat(backend.extend(ref, 5 * MIB - 100)).isEqualTo(5 * MIB);
        assertThat(backend.extend(ref, 5 * MIB)).isEqualTo(5 * MIB);
        assertThat(backend.size(ref)).isEqualTo(5 * MIB);
    }

    @Test
    void extendNeverShrinks() {
        FileVolumeBackend backend = backend();
        backend.create(ref, 8 * MIB);

        assertThat(backend.extend(ref, 2 * MIB)).isEqualTo(8 * MIB);
        assertThat(backend.size(ref)).isEqualTo(8 * MIB);
    }

    @Test
    void racingExtendsLeaveTheLargestSize() throws Exception {
        FileVolumeBackend backend = backend();
        backend.create(ref, MIB);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 64; i >= 1; i--) {
                long size = i * MIB;
                results.add(pool.submit(() -> backend.extend(ref, size)));
            }
            for (Future<Long> r : results) {
                r.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(backend.size(ref)).isEqualTo(64 * MIB);
    }

    @Test
    void refreshReadsTheSizeAndActivateNamesTheFile() {
        FileVolumeBackend backend = backend();
        backend.create(ref, MIB);
        backend.extend(ref, 2 * MIB);

        assertThat(backend.refresh(ref)).isEqualTo(2 * MIB);
        assertThat(backend.activate(ref)).isEqualTo(backend.file(ref));
        backend.deactivate(ref);
        assertThat(backend.file(ref)).exists();
    }

    @Test
    void aMissingVolumeIsUnknownToEveryOperation() {
        FileVolumeBackend backend = backend();

        assertThat(backend.exists(ref)).isFalse();
        assertThatThrownBy(() -> backend.size(ref)).isInstanceOf(UnknownVolumeException.class).hasMessageContaining(ref.toString());
        assertThatThrownBy(() -> backend.extend(ref, MIB)).isInstanceOf(UnknownVolumeException.class);
        assertThatThrownBy(() -> backend.refresh(ref)).isInstanceOf(UnknownVolumeException.class);
        assertThatThrownBy(() -> backend.activate(ref)).isInstanceOf(UnknownVolumeException.class);
        assertThatThrownBy(() -> backend.deactivate(ref)).isInstanceOf(UnknownVolumeException.class);
        assertThat(backend.file(ref)).as("extend must not create the file").doesNotExist();
    }

    @Test
    void aVolumeOfAnotherDomainIsUnknown() {
        FileVolumeBackend backend = backend();
        backend.create(ref, MIB);
        VolumeRef elsewhere = new VolumeRef(UUID.randomUUID(), ref.image(), ref.volume());

        assertThat(backend.exists(elsewhere)).isFalse();
        assertThatThrownBy(() -> backend.extend(elsewhere, 2 * MIB)).isInstanceOf(UnknownVolumeException.class);
        assertThatThrownBy(() -> backend.create(elsewhere, MIB)).isInstanceOf(UnknownVolumeException.class);
    }

    @Test
    void sizesOutOfRangeAreRefusedClearly() {
        FileVolumeBackend backend = backend();
        backend.create(ref, MIB);

        assertThatThrownBy(() -> backend.extend(ref, 0))
                .isInstanceOf(StorageException.class)
                .hasMessage("size of " + ref + " must be positive, got 0 bytes");
        assertThatThrownBy(() -> backend.create(new VolumeRef(sd, ref.image(), UUID.randomUUID()), -5))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> backend.extend(ref, Long.MAX_VALUE))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("more than the largest a volume may have (4294967295 MiB");
        assertThat(backend.size(ref)).isEqualTo(MIB);
    }

    @Test
    void theLargestSizeTheMailboxCarriesIsAccepted() {
        assertThat(Sizes.mib(ref, 0xFFFFFFFFL * MIB)).isEqualTo(0xFFFFFFFFL);
        assertThat(Sizes.mib(ref, 1)).isEqualTo(1);
        assertThat(Sizes.mib(ref, MIB + 1)).isEqualTo(2);
    }

    @Test
    void listFindsVolumesAndIgnoresWhatIsBesideThem() throws Exception {
        FileVolumeBackend backend = backend();
        UUID image = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        VolumeRef a = new VolumeRef(sd, image, UUID.fromString("00000000-0000-0000-0000-000000000001"));
        VolumeRef b = new VolumeRef(sd, image, UUID.fromString("00000000-0000-0000-0000-000000000002"));
        backend.create(b, MIB);
        backend.create(a, MIB);
        Files.createFile(backend.file(a).resolveSibling(a.volume() + ".meta"));
        Files.createDirectories(dir.resolve("images/not-an-image"));

        assertThat(backend.list()).containsExactly(a, b);
    }

    /**
     * An extension that changes nothing must not need write access to the volume: an immutable file
     * (chattr +i: even root cannot open it for writing) that is large enough already is answered
     * from its size; one that must grow fails with the reason.
     */
    @Test
    void anExtensionThatNeedsNoChangeWorksOnAVolumeItCannotWrite() throws Exception {
        FileVolumeBackend backend = backend();
        backend.create(ref, 4 * MIB);
        String file = backend.file(ref).toString();
        Lab.run("chattr", "+i", file);
        try {
            assertThat(backend.extend(ref, 2 * MIB)).isEqualTo(4 * MIB);
            assertThat(backend.extend(ref, 4 * MIB)).isEqualTo(4 * MIB);
            assertThatThrownBy(() -> backend.extend(ref, 8 * MIB)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("extending volume");
        } finally {
            Lab.run("chattr", "-i", file);
        }
        assertThat(backend.size(ref)).isEqualTo(4 * MIB);
    }

    /** Bytes the file takes on disk (Java has no st_blocks). */
    static long allocated(Path file) throws Exception {
        String[] blocks = Lab.run("stat", "-c", "%b %B", file.toString()).strip().split(" ");
        return Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
    }
}
