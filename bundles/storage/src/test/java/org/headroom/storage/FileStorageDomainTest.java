package org.headroom.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.testing.Lab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageDomainTest {
    static final long MIB = 1L << 20;

    @TempDir
    Path root;

    final UUID sd = UUID.randomUUID();

    @Test
    void createMakesVdsmsFileDomainLayout() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, sd, "file");

        Path path = root.resolve(sd.toString());
        assertThat(domain.uuid()).isEqualTo(sd);
        assertThat(domain.path()).isEqualTo(path);
        assertThat(domain.inbox()).isEqualTo(path.resolve("dom_md/inbox"));
        assertThat(domain.outbox()).isEqualTo(path.resolve("dom_md/outbox"));
        assertThat(path.resolve("images")).isDirectory();
        assertThat(Files.size(domain.inbox())).isEqualTo(16 * MIB);
        assertThat(Files.size(domain.outbox())).isEqualTo(16 * MIB);
        assertThat(Files.size(domain.ids())).isEqualTo(MIB);
        assertThat(Files.size(domain.leases())).isEqualTo(2 * MIB);
        assertThat(Files.readString(domain.metadata())).startsWith("SDUUID=" + sd + "\n");
        assertThat(domain.volumes().type()).isEqualTo("file");
        assertThat(domain.listVolumes()).isEmpty();
    }

    @Test
    void theMailboxesHeadIsWrittenAsZerosNotLeftToSparseness() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, sd, "file");

        for (Path mailbox : List.of(domain.inbox(), domain.outbox())) {
            assertThat(Files.size(mailbox)).isEqualTo(16 * MIB);
            assertThat(allZero(mailbox, 0, FileStorageDomain.MAILBOX_ZEROED)).isTrue();
            assertThat(allocated(mailbox))
                    .as("the zeroed head of %s is allocated, the tail is sparse", mailbox)
                    .isGreaterThanOrEqualTo(FileStorageDomain.MAILBOX_ZEROED)
                    .isLessThan(4 * MIB);
        }
    }

    @Test
    void createNeverRewritesAnExistingMailboxEvenAShortOne() throws Exception {
        Path inbox = root.resolve(sd + "/dom_md/inbox");
        Files.createDirectories(inbox.getParent());
        Files.write(inbox, new byte[] {'1', 'x', 't', 'n', 'd'});

        assertThatThrownBy(() -> FileStorageDomain.create(root, sd, "file"))
                .hasMessageEndingWith("is not usable: dom_md/inbox is 5 bytes, needs 16777216");
        assertThat(Files.readString(inbox)).isEqualTo("1xtnd");
    }

    @Test
    void creatorsRacingOnOneDomainAllGetItWhole() throws Exception {
        int creators = 6;
        CyclicBarrier start = new CyclicBarrier(creators);
        ExecutorService pool = Executors.newFixedThreadPool(creators);
        try {
            List<Future<FileStorageDomain>> made = new ArrayList<>();
            for (int i = 0; i < creators; i++) {
                made.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return FileStorageDomain.create(root, sd, "file");
                }));
            }
            for (Future<FileStorageDomain> domain : made) {
                assertThat(domain.get(30, TimeUnit.SECONDS).uuid()).isEqualTo(sd);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> files = Files.list(root.resolve(sd + "/dom_md"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("no draft left behind")
                    .containsExactlyInAnyOrder("ids", "leases", "metadata", "inbox", "outbox");
        }
    }

    @Test
    void createTwiceLeavesAMailboxInUseAlone() throws Exception {
        FileStorageDomain first = FileStorageDomain.create(root, sd, "file");
        VolumeRef volume = new VolumeRef(sd, UUID.randomUUID(), UUID.randomUUID());
        first.volumes().create(volume, MIB);
        writeBlock(first.inbox(), 4096, (byte) 0x31); // host 1's block holds a request
        writeBlock(first.outbox(), 4096, (byte) 0x31);

        FileStorageDomain second = FileStorageDomain.create(root, sd, "file");

        assertThat(readByte(second.inbox(), 4096)).isEqualTo((byte) 0x31);
        assertThat(readByte(second.outbox(), 4096)).isEqualTo((byte) 0x31);
        assertThat(second.volumes().exists(volume)).isTrue();
        assertThat(Files.readString(second.metadata())).startsWith("SDUUID=" + sd + "\n");
    }

    @Test
    void openFindsAnExistingDomain() {
        FileStorageDomain.create(root, sd, "loop");

        FileStorageDomain domain = FileStorageDomain.open(root, sd, "loop");

        assertThat(domain.volumes().type()).isEqualTo("loop");
        assertThat(domain).hasToString("storage domain " + sd + " at " + root.resolve(sd.toString()) + " (loop)");
    }

    @Test
    void openOfAMissingDomainSaysWhereItLooked() {
        assertThatThrownBy(() -> FileStorageDomain.open(root, sd, "file"))
                .isInstanceOf(StorageException.class)
                .hasMessage("no storage domain " + sd + " under " + root + ": " + root.resolve(sd.toString())
                        + " is not a directory");
    }

    @Test
    void openOfAnIncompleteDomainNamesEveryMissingPart() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, sd, "file");
        Files.delete(domain.outbox());
        Files.delete(domain.ids());
        try (RandomAccessFile f = new RandomAccessFile(domain.inbox().toFile(), "rw")) {
            f.setLength(4096);
        }

        assertThatThrownBy(() -> FileStorageDomain.open(root, sd, "file"))
                .isInstanceOf(StorageException.class)
                .hasMessage("storage domain " + sd + " at " + domain.path() + " is not usable: "
                        + "dom_md/inbox is 4096 bytes, needs 16777216; dom_md/outbox is missing; dom_md/ids is missing");
    }

    @Test
    void openRefusesADirectoryWhoseMetadataNamesAnotherDomain() throws Exception {
        UUID other = UUID.randomUUID();
        FileStorageDomain.create(root, other, "file");
        Files.move(root.resolve(other.toString()), root.resolve(sd.toString()));

        assertThatThrownBy(() -> FileStorageDomain.open(root, sd, "file"))
                .hasMessageEndingWith("is not usable: dom_md/metadata names domain " + other);
    }

    @Test
    void openReadsAMetadataFileShorterThanABlock() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, sd, "file");
        Files.writeString(domain.metadata(), "CLASS=Data\nDESCRIPTION=written by VDSM\nSDUUID=" + sd + "\nVERSION=5\n");

        assertThat(FileStorageDomain.open(root, sd, "file").uuid()).isEqualTo(sd);
        Files.writeString(domain.metadata(), "SDUUID=" + UUID.randomUUID() + "\n");
        assertThatThrownBy(() -> FileStorageDomain.open(root, sd, "file")).hasMessageContaining("dom_md/metadata names domain");
    }

    @Test
    void anUnknownBackendIsRefusedBeforeTouchingTheDisk() {
        assertThatThrownBy(() -> FileStorageDomain.create(root, sd, "nfs"))
                .isInstanceOf(StorageException.class)
                .hasMessage("unknown volume backend 'nfs': known are [loop, file, lvm]");
        assertThat(root.resolve(sd.toString())).doesNotExist();
    }

    @Test
    void domainsUnderFindsOnlyDirectoriesThatAreDomains() throws Exception {
        UUID a = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        UUID b = UUID.fromString("00000000-0000-0000-0000-00000000000b");
        FileStorageDomain.create(root, b, "file");
        FileStorageDomain.create(root, a, "file");
        Files.createDirectories(root.resolve("lost+found"));
        Files.createDirectories(root.resolve(UUID.randomUUID().toString())); // no dom_md

        assertThat(FileStorageDomain.domainsUnder(root)).containsExactly(a, b);
        assertThat(FileStorageDomain.domainsUnder(root.resolve("missing"))).isEmpty();
    }

    @Test
    void listVolumesListsTheDomainsVolumes() {
        FileStorageDomain domain = FileStorageDomain.create(root, sd, "file");
        VolumeRef volume = new VolumeRef(sd, UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(volume, MIB);

        assertThat(domain.listVolumes()).containsExactly(volume);
    }

    /** VDSM keeps {@code <volume>.meta} and {@code <volume>.lease} beside a volume; they end nothing. */
    @Test
    void metadataAndLeaseFilesBesideVolumesNeitherListNorEndTheListing() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, sd, "file");
        UUID image = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        VolumeRef a = new VolumeRef(sd, image, UUID.fromString("00000000-0000-0000-0000-000000000001"));
        VolumeRef b = new VolumeRef(sd, image, UUID.fromString("00000000-0000-0000-0000-000000000002"));
        java.util.List<VolumeRef> all = new java.util.ArrayList<>(java.util.List.of(a, b));
        for (int i = 0; i < 10; i++) { // enough that a .meta is listed before some volume, whatever readdir's order
            all.add(new VolumeRef(sd, i % 2 == 0 ? image : UUID.randomUUID(), UUID.randomUUID()));
        }
        for (VolumeRef v : all) {
            domain.volumes().create(v, MIB);
            Path file = root.resolve(sd + "/images/" + v.image() + "/" + v.volume());
            Files.createFile(file.resolveSibling(v.volume() + ".meta"));
            Files.createFile(file.resolveSibling(v.volume() + ".lease"));
        }
        Files.createFile(root.resolve(sd + "/images/" + image + "/00000000-0000-0000-0000-000000000000.meta"));

        assertThat(domain.listVolumes()).containsExactlyInAnyOrderElementsOf(all);
        assertThat(domain.volume(b.volume())).isEqualTo(b);
        assertThat(domain.volumeAt(root.resolve(sd + "/images/" + image + "/" + b.volume()))).contains(b);
        assertThat(domain.volumeAt(root.resolve(sd + "/images/" + image + "/" + b.volume() + ".meta"))).isEmpty();
    }

    @Test
    void volumeMetadataIsWrittenInOneDirectBlockAndReadBack() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, sd, "file");
        VolumeRef v = new VolumeRef(sd, UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, MIB);
        org.headroom.api.storage.VolumeMetadata md = org.headroom.api.storage.VolumeMetadata.created(v,
                org.headroom.api.storage.VolumeMetadata.BLANK, 20L << 30, org.headroom.api.storage.VolumeMetadata.Format.COW,
                org.headroom.api.storage.VolumeMetadata.Allocation.SPARSE, "a disk", 1_700_000_000L);
        domain.writeMetadata(v, md);
        assertThat(domain.metadata(v)).isEqualTo(md);
        domain.writeMetadata(v, md.withGeneration(7).withLegality(org.headroom.api.storage.VolumeMetadata.Legality.LEGAL));
        assertThat(domain.metadata(v).generation()).isEqualTo(7);
        Path file = domain.metadataFile(v);
        assertThat(Files.size(file)).isEqualTo(4096);
        assertThat(Files.readString(file).replace("\0", "")).startsWith("CAP=21474836480\n").endsWith("VOLTYPE=LEAF\nEOF\n");
        assertThat(domain.listVolumes()).containsExactly(v);

        byte[] torn = Files.readAllBytes(file);
        java.util.Arrays.fill(torn, 100, torn.length, (byte) 0);
        Files.write(file, torn);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> domain.metadata(v))
                .isInstanceOf(org.headroom.storage.metadata.MalformedMetadataException.class).hasMessageContaining(v.toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> domain.metadata(new VolumeRef(sd, v.image(), UUID.randomUUID())))
                .isInstanceOf(org.headroom.api.storage.UnknownVolumeException.class);
    }

    /** Bytes the file takes on disk (Java has no st_blocks). */
    static long allocated(Path file) throws Exception {
        String[] blocks = Lab.run("stat", "-c", "%b %B", file.toString()).strip().split(" ");
        return Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
    }

    static boolean allZero(Path file, long offset, int length) throws Exception {
        try (DirectFile f = DirectFile.open(file, false)) {
            ByteBuffer buffer = DirectFile.buffer(length);
            f.read(offset, buffer);
            while (buffer.hasRemaining()) {
                if (buffer.get() != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    static void writeBlock(Path file, long offset, byte fill) throws Exception {
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        while (block.hasRemaining()) {
            block.put(fill);
        }
        block.flip();
        try (DirectFile f = DirectFile.open(file, true)) {
            f.write(offset, block);
        }
    }

    static byte readByte(Path file, long offset) throws Exception {
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        try (DirectFile f = DirectFile.open(file, false)) {
            f.read(offset, block);
        }
        return block.get(0);
    }
}
