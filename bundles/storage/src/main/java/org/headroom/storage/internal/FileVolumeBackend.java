package org.headroom.storage.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeBackend;
import org.headroom.api.storage.VolumeRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes as plain sparse files {@code <domain>/images/<image>/<volume>}, as on NFS: every host
 * sees a file's size as it is, so refreshing is only reading it and activating is only naming it.
 */
public class FileVolumeBackend implements VolumeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(FileVolumeBackend.class);

    private final UUID domain;
    private final Path images;

    public FileVolumeBackend(UUID domain, Path domainPath) {
        this.domain = domain;
        this.images = domainPath.resolve("images");
    }

    @Override
    public String type() {
        return "file";
    }

    /** Where the volume's file is, whether or not it exists. */
    public Path file(VolumeRef volume) {
        if (!volume.domain().equals(domain)) {
            throw new UnknownVolumeException(volume); // a volume of another domain is none of ours
        }
        return images.resolve(volume.image().toString()).resolve(volume.volume().toString());
    }

    /** The volume's file, which must exist. */
    protected Path existing(VolumeRef volume) {
        Path file = file(volume);
        if (!Files.isRegularFile(file)) {
            throw new UnknownVolumeException(volume);
        }
        return file;
    }

    @Override
    public void create(VolumeRef volume, long size) {
        long bytes = Sizes.mib(volume, size) * Sizes.MIB;
        Path file = file(volume);
        try {
            Files.createDirectories(file.getParent());
            Files.createFile(file);
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(bytes); // sparse: no block is written until the guest writes it
            }
        } catch (FileAlreadyExistsException e) {
            throw new StorageException("volume " + volume + " exists already at " + file);
        } catch (IOException e) {
            throw new StorageException("creating volume " + volume + " at " + file + ": " + e, e);
        }
        LOG.info("created {} volume {} of {} MiB", type(), volume, bytes / Sizes.MIB);
    }

    @Override
    public boolean exists(VolumeRef volume) {
        return volume.domain().equals(domain) && Files.isRegularFile(file(volume));
    }

    @Override
    public long size(VolumeRef volume) {
        Path file = existing(volume);
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new StorageException("reading the size of volume " + volume + ": " + e, e);
        }
    }

    private final java.util.Map<Path, Object> extending = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Grows the file, never shrinks it. Serialized per volume in this process and locked against
     * others, so that a smaller request racing a larger one cannot cut the file back after the
     * larger grew it.
     */
    @Override
    public long extend(VolumeRef volume, long size) {
        long bytes = Sizes.mib(volume, size) * Sizes.MIB;
        Path file = existing(volume);
        // One extension of a volume at a time in this JVM (a FileLock held twice by one JVM throws);
        // other volumes' extensions go on meanwhile. The FileLock keeps other processes out.
        synchronized (extending.computeIfAbsent(file, f -> new Object())) {
            return extend(volume, file, bytes);
        }
    }

    private long extend(VolumeRef volume, Path file, long bytes) {
        // Large enough already: answered from the file's size, without opening it for writing, so an
        // extension that needs no change works on a volume this process may only read.
        long current = size(volume);
        if (current >= bytes) {
            return current;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw");
             FileLock lock = f.getChannel().lock()) {
            long before = f.length();
            if (before >= bytes) {
                return before;
            }
            f.setLength(bytes);
            LOG.info("extended volume {} from {} to {} MiB", volume, before / Sizes.MIB, bytes / Sizes.MIB);
            return bytes;
        } catch (IOException e) {
            throw new StorageException("extending volume " + volume + " to " + bytes + " bytes: " + e, e);
        }
    }

    @Override
    public long refresh(VolumeRef volume) {
        return size(volume);
    }

    @Override
    public Path activate(VolumeRef volume) {
        return existing(volume);
    }

    @Override
    public void deactivate(VolumeRef volume) {
        existing(volume);
    }

    @Override
    public List<VolumeRef> list() {
        List<VolumeRef> volumes = new ArrayList<>();
        try (DirectoryStream<Path> imageDirs = Files.newDirectoryStream(images, Files::isDirectory)) {
            for (Path imageDir : imageDirs) {
                Optional<UUID> image = UuidNames.uuid(imageDir.getFileName().toString());
                if (image.isEmpty()) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(imageDir, Files::isRegularFile)) {
                    for (Path file : files) {
                        // VDSM keeps <volume>.meta and <volume>.lease beside a volume: only UUIDs are volumes.
                        UuidNames.uuid(file.getFileName().toString()).ifPresent(v -> volumes.add(new VolumeRef(domain, image.get(), v)));
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("listing the volumes of domain " + domain + " in " + images + ": " + e, e);
        }
        volumes.sort(Comparator.comparing((VolumeRef v) -> v.image().toString()).thenComparing(v -> v.volume().toString()));
        return volumes;
    }
}
