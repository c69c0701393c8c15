package org.headroom.lease.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.headroom.lease.sanlock.LeaseFixtures;
import org.headroom.testing.Closer;

/** What the lease service's multi-host tests share. */
final class AgentFixtures {
    private AgentFixtures() {
    }

    /** An agent's run directory: short, as sanlock takes a killpath of at most 127 bytes; removed by {@code closer}. */
    static Path agentDir(Closer closer, String host) throws IOException {
        Path dir = Files.createTempDirectory("hr-agent" + host + "-");
        closer.add(() -> LeaseFixtures.fresh(dir).toFile().delete());
        return dir;
    }

    /** Waits until {@code until} holds, polling every 50 ms; fails saying {@code what} after {@code within}. */
    static void await(String what, java.time.Duration within, java.util.function.BooleanSupplier until)
            throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (!until.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + ": not within " + within);
            }
            Thread.sleep(50);
        }
    }

    /** The time of the first {@code kind@<epoch ms>} among space-separated events. */
    static long at(String events, String kind) {
        for (String e : events.split(" ")) {
            if (e.startsWith(kind + "@")) {
                return Long.parseLong(e.substring(kind.length() + 1));
            }
        }
        throw new AssertionError("no " + kind + " in '" + events + "'");
    }
}
