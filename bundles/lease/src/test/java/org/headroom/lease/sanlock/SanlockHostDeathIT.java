package org.headroom.lease.sanlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.headroom.lease.sanlock.LeaseFixtures.acquireWithin;
import static org.headroom.lease.sanlock.LeaseFixtures.fresh;
import static org.headroom.lease.sanlock.LeaseFixtures.ms;
import static org.headroom.lease.sanlock.LeaseFixtures.sparse;
import static org.headroom.lease.sanlock.LeaseFixtures.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.headroom.testing.Closer;
import org.headroom.testing.SanlockDaemon;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A host that dies holding leases: host 3 (a JVM and its daemon) is SIGKILLed, as a host that
 * loses power. Host 1 (this JVM) sees it FAIL and then DEAD, is told to retry (OWNER_NOWAIT)
 * until then, and acquires its lease as soon as it is DEAD. Meanwhile host 4 tries to join with
 * host 1's id and is refused after the full delay. About 75 s: the host_dead time at io 1 is
 * 8 io timeouts + the watchdog's fire timeout (60 s; only /etc/sanlock/sanlock.conf sets it).
 */
class SanlockHostDeathIT {
    private static final int IO = 1;
    private static final Geometry G = Geometry.SECTOR_512_ALIGN_1M;

    private final Closer toClose = new Closer();

    @AfterEach
    void cleanUp() throws Exception {
        toClose.close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        return toClose.add(c);
    }

    @Test
    void theLeasesOfADeadHostAreTakenOnceItIsDead() throws Exception {
        Path dir = fresh(Path.of("target/sanlock-it/death"));
        closing(SanlockDaemon.startForThisProcess("host1"));
        SanlockDaemon daemon3 = closing(SanlockDaemon.start(Path.of("target/sanlock/host3"), "host3"));
        SanlockDaemon daemon4 = closing(SanlockDaemon.start(Path.of("target/sanlock/host4"), "host4"));
        Sanlock sanlock = closing(Sanlock.open(CallBounds.forIoTimeout(IO)));
        HostProcess host3 = closing(HostProcess.start("host3", daemon3, dir.resolve("host3.log")));
        HostProcess host4 = closing(HostProcess.start("host4", daemon4, dir.resolve("host4.log")));

        Path ids = sparse(dir, "death.ids", 1 << 20);
        Lockspace death = new Lockspace("death", 1, new Disk(ids.toString(), 0));
        sanlock.writeLockspace(death, G, 0, IO);
        Resource lease = Resource.of("death", "SDM", new Disk(sparse(dir, "sdm.lease", 1 << 20).toString(), 0));
        Resource other = Resource.of("death", "vol", new Disk(sparse(dir, "vol.lease", 1 << 20).toString(), 0));
        sanlock.writeResource(lease, G, 0);
        sanlock.writeResource(other, G, 0);
        CompletableFuture<String> join3 = CompletableFuture.supplyAsync(() -> host3.call("join death 3 " + ids + " " + IO));
        sanlock.joinLockspace(death, IO, Duration.ofSeconds(30));
        join3.get(40, TimeUnit.SECONDS);
        host3.call("register it-host3");
        host3.call("acquire " + text(lease));
        host3.call("acquire " + text(other));
        awaitState(sanlock, 3, HostState.LIVE, Duration.ofSeconds(15));

        // host 3 loses power: its daemon and its process die at once
        long killed = System.nanoTime();
        daemon3.close();
        host3.kill();

        try (Registration reg = sanlock.register("it-death"); Registration waiting = sanlock.register("it-waiting")) {
            // refused at once, first as held by a live host, then as an owner to retry later
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            SanlockException last;
            do {
                long t0 = System.nanoTime();
                last = catchSanlock(() -> reg.acquire(lease));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
                assertThat(last).isInstanceOfAny(SanlockException.Held.class, SanlockException.OwnerRetry.class);
                assertThat(System.nanoTime()).as("OwnerRetry within 20 s of the kill").isLessThan(deadline);
                Thread.sleep(200);
            } while (!(last instanceof SanlockException.OwnerRetry));
            assertThat(last.code()).isEqualTo(-247);
            System.out.printf("host 3 killed: acquire says ACQUIRE_OWNED_RETRY %d ms after%n", ms(killed));

            // the blocking form waits the owner out: past its bound the registration is broken
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> waiting.acquireWaiting(List.of(other), EnumSet.noneOf(AcquireFlag.class), Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(SanlockException.Timeout.class, e -> assertThat(e.started()).isTrue());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
            assertThat(waiting.broken()).isTrue();
            assertThatThrownBy(waiting::inquire).isInstanceOf(SanlockException.Unreachable.class).hasMessageContaining("broken");

            // host 4 tries host 1's id, renewed by host 1: refused, after the full delay
            long asked = System.nanoTime();
            CompletableFuture<String> join4 = CompletableFuture.supplyAsync(
                    () -> host4.call("join death 1 " + ids + " " + IO + " 100", Duration.ofSeconds(110)));

            awaitState(sanlock, 3, HostState.FAIL, Duration.ofSeconds(20));
            System.out.printf("host 3 FAIL %d ms after the kill%n", ms(killed));
            awaitState(sanlock, 3, HostState.DEAD, Duration.ofSeconds(90));
            long dead = System.nanoTime();
            System.out.printf("host 3 DEAD %d ms after the kill%n", ms(killed));
            acquireWithin(reg, lease, Duration.ofSeconds(5));
            System.out.printf("host 3's lease acquired %d ms after it was DEAD, %d ms after the kill%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dead), ms(killed));
            assertThat(reg.inquire()).extracting(Resource::name).containsExactly("SDM");
            reg.release(lease);

            assertThatThrownBy(join4::join).hasCauseInstanceOf(HostProcess.Failed.class)
                    .cause().satisfies(f -> {
                        HostProcess.Failed failed = (HostProcess.Failed) f;
                        assertThat(failed.kind).isEqualTo("HostIdBusy");
                        assertThat(failed.code).isEqualTo(-262);
                    });
            System.out.printf("host 4 refused host 1's id (HOSTID_BUSY) %d ms after it asked%n", ms(asked));
            assertThat(sanlock.inqLockspace(death)).isEqualTo(LockspaceState.JOINED);
        }
    }

    private static SanlockException catchSanlock(Runnable r) {
        try {
            r.run();
        } catch (SanlockException e) {
            return e;
        }
        throw new AssertionError("no SanlockException");
    }

    private static void awaitState(Sanlock sanlock, long hostId, HostState state, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                if (sanlock.host("death", hostId).map(h -> h.state() == state).orElse(false)) {
                    return;
                }
            } catch (SanlockException.Again notYet) {
                // just joined
            }
            assertThat(System.nanoTime()).as("host %d %s within %s (states: %s)", hostId, state, within,
                    Arrays.toString(HostState.values())).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
