package org.headroom.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeBackend;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.internal.FileVolumeBackend;
import org.headroom.storage.metadata.MalformedMetadataException;
import org.headroom.storage.metadata.MetadataCodec;
import org.headroom.storage.internal.LoopVolumeBackend;
import org.headroom.storage.internal.LvmVolumeBackend;
import org.headroom.storage.internal.ProcessCommandRunner;
import org.headroom.storage.internal.UuidNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage domain in a directory, in VDSM's file-domain layout:
 * {@code <root>/<uuid>/dom_md/{ids,leases,metadata,inbox,outbox}} and
 * {@code <root>/<uuid>/images/<image>/<volume>}. Plain Java, no OSGi: command-line tools and
 * tests running several agent processes on one directory use it as it is.
 *
 * <p>Its volumes live in one of the backends {@link #BACKENDS}: {@code loop} and {@code file} keep
 * them under {@code images/}; {@code lvm} keeps them in the volume group named by the domain's UUID,
 * which must exist already (only the {@code dom_md} files are made here).
 */
public final class FileStorageDomain implements StorageDomain {
    /** The volume backends by {@link VolumeBackend#type()}. */
    public static final List<String> BACKENDS = List.of("loop", "file", "lvm");
    /** Size of the inbox and the outbox. */
    public static final long MAILBOX_SIZE = 16L << 20;
    /** What of a mailbox is zeroed when the domain is made: 250 hosts' 4 KiB blocks, as VDSM does. */
    public static final int MAILBOX_ZEROED = 4096 * 250;
    /** The sanlock lockspace: 2000 hosts' 512-byte delta leases. */
    public static final long IDS_SIZE = 1L << 20;
    public static final long LEASES_SIZE = 2L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(FileStorageDomain.class);
    private static final String SDUUID = "SDUUID=";

    private final UUID uuid;
    private final Path path;
    private final VolumeBackend volumes;

    private FileStorageDomain(UUID uuid, Path path, VolumeBackend volumes) {
        this.uuid = uuid;
        this.path = path;
        this.volumes = volumes;
    }

    /**
     * Makes the parts of the domain's layout that are missing, then opens it. Idempotent, also when
     * several processes run it at once: what exists is left as it is, above all a mailbox, which
     * hosts may be using.
     */
    public static FileStorageDomain create(Path root, UUID uuid, String backend) {
        requireBackend(backend);
        Path path = root.resolve(uuid.toString());
        Path md = path.resolve("dom_md");
        try {
            Files.createDirectories(md);
            Files.createDirectories(path.resolve("images"));
            mailbox(md.resolve("inbox"));
            mailbox(md.resolve("outbox"));
            atLeast(md.resolve("ids"), IDS_SIZE);
            atLeast(md.resolve("leases"), LEASES_SIZE);
            metadata(md.resolve("metadata"), uuid);
        } catch (IOException e) {
            throw new StorageException("creating storage domain " + uuid + " at " + path + ": " + e, e);
        }
        return open(root, uuid, backend);
    }

    /** Opens an existing domain; fails naming every part that is missing or too small. */
    public static FileStorageDomain open(Path root, UUID uuid, String backend) {
        requireBackend(backend);
        Path path = root.resolve(uuid.toString());
        if (!Files.isDirectory(path)) {
            throw new StorageException("no storage domain " + uuid + " under " + root + ": " + path + " is not a directory");
        }
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(path.resolve("images"))) {
            problems.add("images/ is missing");
        }
        Path md = path.resolve("dom_md");
        check(md, "inbox", MAILBOX_SIZE, problems);
        check(md, "outbox", MAILBOX_SIZE, problems);
        check(md, "ids", IDS_SIZE, problems);
        check(md, "leases", LEASES_SIZE, problems);
        check(md, "metadata", 0, problems);
        if (problems.isEmpty()) {
            checkMetadata(md.resolve("metadata"), uuid, problems);
        }
        if (!problems.isEmpty()) {
            throw new StorageException("storage domain " + uuid + " at " + path + " is not usable: "
                    + String.join("; ", problems));
        }
        return new FileStorageDomain(uuid, path, backend(backend, uuid, path));
    }

    /** The UUIDs of the domains under {@code root}: directories named by a UUID that have a {@code dom_md}. */
    public static List<UUID> domainsUnder(Path root) {
        List<UUID> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, d -> Files.isDirectory(d.resolve("dom_md")))) {
            for (Path dir : dirs) {
                UuidNames.uuid(dir.getFileName().toString()).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new StorageException("looking for storage domains in " + root + ": " + e, e);
        }
        found.sort(Comparator.comparing(UUID::toString));
        return found;
    }

    @Override
    public UUID uuid() {
        return uuid;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Path inbox() {
        return path.resolve("dom_md/inbox");
    }

    @Override
    public Path outbox() {
        return path.resolve("dom_md/outbox");
    }

    /** The sanlock lockspace. */
    public Path ids() {
        return path.resolve("dom_md/ids");
    }

    /** The SPM lease and the volume leases. */
    public Path leases() {
        return path.resolve("dom_md/leases");
    }

    public Path metadata() {
        return path.resolve("dom_md/metadata");
    }

    @Override
    public VolumeBackend volumes() {
        return volumes;
    }

    /** The domain's volumes, sorted by image then volume. */
    @Override
    public List<VolumeRef> listVolumes() {
        return volumes.list();
    }

    @Override
    public VolumeRef volume(UUID volume) {
        return listVolumes().stream().filter(v -> v.volume().equals(volume)).findFirst()
                .orElseThrow(() -> new UnknownVolumeException(new VolumeRef(uuid, new UUID(0, 0), volume)));
    }

    @Override
    public Optional<VolumeRef> volumeAt(Path active) {
        Path file = volumes.fileOf(active).toAbsolutePath().normalize();
        Path images = path.resolve("images").toAbsolutePath().normalize();
        if (!file.startsWith(images) || images.relativize(file).getNameCount() != 2) {
            return Optional.empty();
        }
        Path relative = images.relativize(file);
        Optional<UUID> image = UuidNames.uuid(relative.getName(0).toString());
        Optional<UUID> volume = UuidNames.uuid(relative.getName(1).toString());
        return image.isPresent() && volume.isPresent() ? Optional.of(new VolumeRef(uuid, image.get(), volume.get()))
                : Optional.empty();
    }

    /** {@code images/<image>/<volume>.meta}, beside the volume as VDSM keeps it on file domains. */
    public Path metadataFile(VolumeRef volume) {
        if (!volume.domain().equals(uuid)) {
            throw new UnknownVolumeException(volume);
        }
        return path.resolve("images").resolve(volume.image().toString()).resolve(volume.volume() + ".meta");
    }

    @Override
    public VolumeMetadata metadata(VolumeRef volume) {
        requireFileMetadata();
        Path file = metadataFile(volume);
        if (!Files.exists(file)) {
            throw new UnknownVolumeException(volume);
        }
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        try (DirectFile f = DirectFile.open(file, false)) {
            f.read(0, block);
        } catch (IOException e) {
            throw new StorageException("reading the metadata of " + volume + ": " + e, e);
        }
        byte[] bytes = new byte[MetadataCodec.SIZE];
        block.get(bytes);
        VolumeMetadata md;
        try {
            md = MetadataCodec.decode(bytes);
        } catch (MalformedMetadataException e) {
            throw new MalformedMetadataException(volume + ": " + e.getMessage());
        }
        if (!md.domain().equals(volume.domain()) || !md.image().equals(volume.image())) {
            throw new MalformedMetadataException(volume + ": its metadata names domain " + md.domain() + " image " + md.image());
        }
        return md;
    }

    @Override
    public void writeMetadata(VolumeRef volume, VolumeMetadata metadata) {
        requireFileMetadata();
        if (!metadata.domain().equals(volume.domain()) || !metadata.image().equals(volume.image())) {
            throw new IllegalArgumentException("metadata of domain " + metadata.domain() + " image " + metadata.image()
                    + " is not " + volume + "'s");
        }
        byte[] bytes = MetadataCodec.encode(metadata);
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        block.put(bytes).clear(); // the rest of the block stays zero: padding after EOF
        Path file = metadataFile(volume);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                Files.createFile(file);
            }
            try (DirectFile f = DirectFile.open(file, true)) {
                f.write(0, block);
            }
        } catch (IOException e) {
            throw new StorageException("writing the metadata of " + volume + ": " + e, e);
        }
    }

    private void requireFileMetadata() {
        if (volumes.type().equals("lvm")) {
            throw new StorageException("volume metadata in the metadata LV's slots of a block domain is not built yet");
        }
    }

    @Override
    public String toString() {
        return "storage domain " + uuid + " at " + path + " (" + volumes.type() + ")";
    }

    private static void requireBackend(String backend) {
        if (!BACKENDS.contains(backend)) {
            throw new StorageException("unknown volume backend '" + backend + "': known are " + BACKENDS);
        }
    }

    private static VolumeBackend backend(String type, UUID uuid, Path path) {
        ProcessCommandRunner commands = new ProcessCommandRunner(ProcessCommandRunner.DEFAULT_TIMEOUT);
        return switch (type) {
            case "file" -> new FileVolumeBackend(uuid, path);
            case "loop" -> new LoopVolumeBackend(uuid, path, commands);
            default -> new LvmVolumeBackend(uuid, commands);
        };
    }

    /**
     * Makes a mailbox unless one exists. An existing one is never rewritten, complete or not: hosts
     * may be using it. Its head is zeroed with direct I/O, as hosts will read it, in a draft that
     * takes the mailbox's name only once finished.
     */
    private static void mailbox(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        publish(file, draft -> {
            try (DirectFile f = DirectFile.open(draft, true)) {
                f.write(0, DirectFile.buffer(MAILBOX_ZEROED)); // a new direct buffer is all zeros
            }
            try (RandomAccessFile f = new RandomAccessFile(draft.toFile(), "rw")) {
                f.setLength(MAILBOX_SIZE);
            }
        });
    }

    /** One block naming the domain, so that a domain directory copied or renamed is caught on open. */
    private static void metadata(Path file, UUID uuid) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        publish(file, draft -> {
            ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
            block.put((SDUUID + uuid + "\n").getBytes(StandardCharsets.US_ASCII)).clear();
            try (DirectFile f = DirectFile.open(draft, true)) {
                f.write(0, block);
            }
        });
    }

    private interface Writer {
        void write(Path draft) throws IOException;
    }

    /**
     * Writes a draft beside {@code file}, then links it to its name: link(2) is atomic and never
     * replaces, so of processes racing to create one domain (agents started together), one file
     * wins whole, and no file is ever seen half-made.
     */
    private static void publish(Path file, Writer writer) throws IOException {
        Path draft = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".new");
        try {
            Files.createFile(draft);
            writer.write(draft);
            Files.createLink(file, draft);
            LOG.info("made {}", file);
        } catch (FileAlreadyExistsException e) {
            // Another process made it first: theirs is the one.
        } finally {
            Files.deleteIfExists(draft);
        }
    }

    /** Makes a sparse file of at least {@code size} bytes; sanlock initializes its content itself. */
    private static void atLeast(Path file, long size) throws IOException {
        if (Files.exists(file) && Files.size(file) >= size) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size); // racing creators all set the same size: growing twice is harmless
        }
    }

    private static void check(Path md, String name, long size, List<String> problems) {
        Path file = md.resolve(name);
        try {
            if (!Files.isRegularFile(file)) {
                problems.add("dom_md/" + name + " is missing");
            } else if (Files.size(file) < size) {
                problems.add("dom_md/" + name + " is " + Files.size(file) + " bytes, needs " + size);
            }
        } catch (IOException e) {
            problems.add("dom_md/" + name + " is unreadable (" + e + ")");
        }
    }

    /** A metadata block naming another domain means this directory is not the domain it is named as. */
    private static void checkMetadata(Path file, UUID uuid, List<String> problems) {
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        try (DirectFile f = DirectFile.open(file, false)) {
            f.read(0, block);
        } catch (IOException e) {
            problems.add("dom_md/metadata is unreadable with direct I/O (" + e + ")");
            return;
        }
        byte[] bytes = new byte[block.remaining()];
        block.get(bytes);
        for (String line : new String(bytes, StandardCharsets.US_ASCII).replace("\0", "").split("\n")) {
            if (line.startsWith(SDUUID) && !line.substring(SDUUID.length()).strip().equals(uuid.toString())) {
                problems.add("dom_md/metadata names domain " + line.substring(SDUUID.length()).strip());
            }
        }
    }
}
