package org.headroom.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks on the host, after the guest is gone, that a qcow2 image holds what the test guest wrote:
 * every 4 MiB of the written range must hash to the pattern md5 the guest printed. Reads the image
 * through {@code qemu-img map} and the image file itself, without converting it.
 */
public final class GuestData {
    private GuestData() {
    }

    /** The md5 of the guest's 4 MiB pattern, from its console. */
    public static String patternMd5(QemuProcess qemu) throws IOException, InterruptedException {
        return qemu.consoleLog().patternMd5();
    }

    /**
     * Fails unless each 4 MiB chunk of the first {@code sizeMiB} of the image's guest view hashes
     * to {@code patternMd5}; the image is {@code image} (a file or a block device) in qcow2.
     */
    public static void assertWritten(Path image, int sizeMiB, String patternMd5) throws IOException, InterruptedException {
        JsonNode map = new ObjectMapper().readTree(Lab.run(Lab.QEMU_IMG, "map", "--output=json", "-f", "qcow2", image.toString()));
        int chunk = TestGuest.PATTERN_CHUNK_MIB << 20;
        ByteBuffer buffer = ByteBuffer.allocateDirect(chunk);
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
            for (long guest = 0; guest < (long) sizeMiB << 20; guest += chunk) {
                buffer.clear();
                fill(file, map, guest, buffer);
                buffer.flip();
                String md5 = md5(buffer);
                if (!md5.equals(patternMd5)) {
                    throw new AssertionError("guest data at " + (guest >> 20) + " MiB of " + image + " hashes to " + md5
                            + ", not the pattern's " + patternMd5);
                }
            }
        }
    }

    /** Reads guest bytes [start, start + buffer size) through the image's mapping. */
    private static void fill(FileChannel file, JsonNode map, long start, ByteBuffer buffer) throws IOException {
        long end = start + buffer.capacity();
        for (JsonNode extent : map) {
            long from = extent.get("start").asLong();
            long to = from + extent.get("length").asLong();
            if (to <= start || from >= end) {
                continue;
            }
            long lo = Math.max(from, start);
            long hi = Math.min(to, end);
            ByteBuffer slice = buffer.duplicate();
            slice.position((int) (lo - start)).limit((int) (hi - start));
            if (extent.path("data").asBoolean() && extent.has("offset")) {
                long host = extent.get("offset").asLong() + (lo - from);
                while (slice.hasRemaining()) {
                    if (file.read(slice, host + slice.position() - (lo - start)) < 0) {
                        throw new IOException("image ends before its mapped data at " + host);
                    }
                }
            } else {
                while (slice.hasRemaining()) {
                    slice.put((byte) 0);
                }
            }
        }
        buffer.position(buffer.capacity());
    }

    private static String md5(ByteBuffer data) {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            digest.update(data);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
