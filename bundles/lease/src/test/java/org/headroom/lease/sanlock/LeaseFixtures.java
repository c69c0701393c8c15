package org.headroom.lease.sanlock;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the binding's integration tests share: lease files on disk, leases in HostMain's words, retries. */
public final class LeaseFixtures {
    private LeaseFixtures() {
    }

    /** An empty directory at {@code p}, whatever a previous run left there. */
    public static Path fresh(Path p) throws IOException {
        Path abs = p.toAbsolutePath();
        if (Files.exists(abs)) {
            try (Stream<Path> files = Files.walk(abs)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return Files.createDirectories(abs);
    }

    /** A new sparse file: on disk (sanlock opens it with O_DIRECT), no block written. */
    static Path sparse(Path dir, String name, long size) throws IOException {
        Path p = dir.resolve(name);
        Files.deleteIfExists(p);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    /** A lease as {@link HostMain} takes it. */
    static String text(Resource r) {
        return r.lockspace() + ":" + r.name() + ":" + r.disks().get(0).path() + ":" + r.disks().get(0).offset();
    }

    /** Acquires {@code lease}, retrying while another holds it or its last holder's release is under way. */
    static void acquireWithin(Registration reg, Resource lease, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                reg.acquire(lease);
                return;
            } catch (SanlockException.Held | SanlockException.OwnerRetry | SanlockException.Again | SanlockException.Busy e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
