package org.headroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * libvirt's qemu hook file as it was before a test installed Headroom's, put back afterwards:
 * its content and mode, or its absence.
 */
public final class HookFile {
    public static final Path PATH = Path.of("/etc/libvirt/hooks/qemu");

    private final Path path;
    private final byte[] content;
    private final Set<PosixFilePermission> mode;

    private HookFile(Path path, byte[] content, Set<PosixFilePermission> mode) {
        this.path = path;
        this.content = content;
        this.mode = mode;
    }

    public static HookFile save() throws IOException {
        return save(PATH);
    }

    public static HookFile save(Path path) throws IOException {
        if (!Files.exists(path)) {
            return new HookFile(path, null, null);
        }
        return new HookFile(path, Files.readAllBytes(path), Files.getPosixFilePermissions(path));
    }

    /** Puts the file back as it was: the same bytes and mode, or removes it if there was none. */
    public void restore() throws IOException {
        if (content == null) {
            Files.deleteIfExists(path);
            return;
        }
        Path draft = path.resolveSibling(path.getFileName() + ".restore");
        Files.write(draft, content);
        Files.setPosixFilePermissions(draft, mode);
        Files.move(draft, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
