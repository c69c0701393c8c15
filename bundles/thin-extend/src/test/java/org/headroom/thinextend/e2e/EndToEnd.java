package org.headroom.thinextend.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.storage.StorageDomain;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Lab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the end-to-end tests share: a loop-backed storage domain in a fresh directory, an SPM in
 * this process, the drive events seen, and everything a test started ended in reverse order, also
 * when it failed.
 */
abstract class EndToEnd {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    Path dir;

    FileStorageDomain domain;
    final List<AutoCloseable> cleanup = new ArrayList<>();
    final ThreadScheduler spmThreads = ThreadScheduler.create("spm", 2, 1_000);
    final List<DriveEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void lab() {
        Lab.requireGuest();
        domain = FileStorageDomain.create(dir.resolve("storage"), UUID.randomUUID(), "loop");
    }

    @AfterEach
    void cleanUp() throws Exception {
        Exception first = null;
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                System.err.println("clean-up: " + e);
                first = first == null ? e : first;
            }
        }
        spmThreads.close();
        if (first != null) {
            throw first;
        }
    }

    /** This host is the SPM: extensions are served in-process by the volume backend. */
    ExtendService inProcessSpm(StorageDomain d) {
        return (volume, size) -> CompletableFuture.supplyAsync(() -> d.volumes().extend(volume, size), spmThreads);
    }
}
