package org.headroom.lease.sanlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.headroom.lease.sanlock.LeaseFixtures.acquireWithin;
import static org.headroom.lease.sanlock.LeaseFixtures.fresh;
import static org.headroom.lease.sanlock.LeaseFixtures.ms;
import static org.headroom.lease.sanlock.LeaseFixtures.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.headroom.testing.SanlockDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The binding against real sanlock daemons: this JVM is host 1 with its daemon (the build sets
 * its SANLOCK_RUN_DIR), host 2 a JVM of its own with another daemon; both joined to lockspace
 * {@code hr} with io timeout 1. Every lease is a fresh sparse file on disk (sanlock opens it with
 * O_DIRECT). A lease that should be free again is polled for, since the daemon releases a closed
 * registration's leases on its own time.
 */
class SanlockBindingIT {
    private static final int IO = 1;
    private static final Geometry G = Geometry.SECTOR_512_ALIGN_1M;
    private static final Duration JOIN = Duration.ofSeconds(30);

    private static Path dir;
    private static SanlockDaemon daemon1;
    private static SanlockDaemon daemon2;
    private static HostProcess host2;
    private static Sanlock sanlock;
    private static Lockspace hr;
    private static Path ids;
    private static int restarts;

    @BeforeAll
    static void twoHostsJoined() throws Exception {
        dir = fresh(Path.of("target/sanlock-it/binding"));
        daemon1 = SanlockDaemon.startForThisProcess("host1");
        daemon2 = SanlockDaemon.start(Path.of("target/sanlock/host2"), "host2");
        sanlock = Sanlock.open(CallBounds.forIoTimeout(IO));
        ids = sparse("hr.ids", 1 << 20);
        hr = new Lockspace("hr", 1, new Disk(ids.toString(), 0));
        sanlock.writeLockspace(hr, G, 0, IO);
        startHost2();
        CompletableFuture<String> join2 = CompletableFuture.supplyAsync(() -> host2.call("join hr 2 " + ids + " " + IO));
        long t0 = System.nanoTime();
        sanlock.joinLockspace(hr, IO, JOIN);
        System.out.printf("host 1 joined hr in %d ms%n", ms(t0));
        join2.get(40, TimeUnit.SECONDS);
        System.out.printf("host 2 joined hr at %d ms%n", ms(t0));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (AutoCloseable c : Arrays.asList(host2, sanlock, daemon2, daemon1)) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    failures.add(e);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    @Test
    void theDaemonSaysItsVersionAndCodesTheirMeaning() {
        SanlockVersion v = sanlock.version();
        assertThat(v.major()).isEqualTo(3);
        assertThat(v.minor()).isGreaterThanOrEqualTo(8);
        assertThat(sanlock.socket()).isEqualTo(daemon1.runDir().resolve("sanlock.sock"));
        assertThat(sanlock.strerror(-243)).isEqualTo("Lease is held by another host");
        assertThat(sanlock.strerror(-247)).isEqualTo("Lease is owned by another host");
        assertThat(sanlock.strerror(-16)).isEqualTo("Device or resource busy");
    }

    @Test
    void areasAreWrittenAndReadBackWithTheirGeometry() throws Exception {
        Path lsFile = sparse("areas.ids", 1 << 20);
        Lockspace ls = new Lockspace("areas", 1, new Disk(lsFile.toString(), 0));
        sanlock.writeLockspace(ls, G, 0, IO);
        assertThat(sanlock.readLockspace(ls.disk())).isEqualTo(new LockspaceOnDisk("areas", G, IO));
        assertThat(sanlock.align(ls.disk())).isEqualTo(1 << 20);

        Path leases = sparse("areas.leases", 3 << 20);
        Resource r = Resource.of("areas", "SDM", new Disk(leases.toString(), 1 << 20));
        sanlock.writeResource(r, G, 0);
        assertThat(sanlock.readResource(r.disks().get(0))).isEqualTo(new ResourceOnDisk("areas", "SDM", 0, G));
        assertThatThrownBy(() -> sanlock.readResource(new Disk(leases.toString(), 2 << 20)))
                .isInstanceOfSatisfying(SanlockException.Storage.class, e -> assertThat(e.codeName()).isEqualTo("LEADER_MAGIC"));
        assertThatThrownBy(() -> sanlock.readLockspace(new Disk(dir.resolve("missing").toString(), 0)))
                .isInstanceOf(SanlockException.NotFound.class);
        assertThat(sanlock.readResourceOwners(r)).isEqualTo(new ResourceOwners(0, false, List.of()));
    }

    @Test
    void aLeaseAcquiredHereIsOwnedByHost1AsHost2SeesIt(TestInfo test) throws Exception {
        Resource lease = lease(test);
        awaitHostState(host2, 1, HostState.LIVE);
        long generation = sanlock.host("hr", 1).orElseThrow().generation();
        try (Registration reg = sanlock.register("it-host1")) {
            long t0 = System.nanoTime();
            reg.acquire(lease);
            long acquired = System.nanoTime();
            assertThat(reg.inquire()).containsExactly(lease.withVersion(1));
            assertThat(host2.call("owners " + text(lease))).isEqualTo("1 1:" + generation);
            assertThat(sanlock.readResourceOwners(lease).owners()).containsExactly(
                    new Owner(1, generation, sanlock.readResourceOwners(lease).owners().get(0).timestamp()));
            long t1 = System.nanoTime();
            reg.release(lease);
            System.out.printf("a free lease: acquire %.1f ms, release %.1f ms%n", (acquired - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
            assertThat(reg.inquire()).isEmpty();
        }
        assertThat(host2.call("owners " + text(lease))).isEqualTo("1");
        assertThat(sanlock.readResource(lease.disks().get(0)).version()).isEqualTo(1);
    }

    @Test
    void acquireAndReleaseTimings(TestInfo test) throws Exception {
        Resource lease = lease(test);
        int rounds = 20;
        long[] acquire = new long[rounds];
        long[] release = new long[rounds];
        try (Registration reg = sanlock.register("it-timing")) {
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                reg.acquire(lease);
                long t1 = System.nanoTime();
                reg.release(lease);
                acquire[i] = t1 - t0;
                release[i] = System.nanoTime() - t1;
            }
        }
        Arrays.sort(acquire);
        Arrays.sort(release);
        System.out.printf("%d rounds on a free lease: acquire p50 %.1f ms max %.1f ms, release p50 %.1f ms max %.1f ms%n",
                rounds, acquire[rounds / 2] / 1e6, acquire[rounds - 1] / 1e6, release[rounds / 2] / 1e6, release[rounds - 1] / 1e6);
        assertThat(sanlock.readResource(lease.disks().get(0)).version()).isEqualTo(rounds);
    }

    @Test
    void aLeaseHeldByALiveHostIsRefusedAtOnceAndItsValueBlockHandedOn(TestInfo test) throws Exception {
        Resource lease = lease(test);
        awaitHostState(null, 2, HostState.LIVE);
        host2.call("acquire " + text(lease) + " lvb");
        host2.call("setlvb " + text(lease) + " job=7,state=done");
        try (Registration reg = sanlock.register("it-host1")) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> reg.acquire(lease, AcquireFlag.LVB))
                    .isInstanceOfSatisfying(SanlockException.Held.class, e -> {
                        assertThat(e.code()).isEqualTo(-243);
                        assertThat(e.codeName()).isEqualTo("ACQUIRE_IDLIVE");
                        assertThat(e.call()).isEqualTo("acquire");
                    });
            System.out.printf("acquire of a lease held by a live host refused in %d ms%n", ms(t0));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            host2.call("release " + text(lease));
            reg.acquire(lease, AcquireFlag.LVB);
            assertThat(new String(reg.getLvb(lease, 16), StandardCharsets.UTF_8)).isEqualTo("job=7,state=done");
            assertThat(reg.getLvb(lease, 512)[16]).isZero();
            reg.setLvb(lease, "job=8".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(reg.getLvb(lease, 5), StandardCharsets.UTF_8)).isEqualTo("job=8");
            reg.release(lease);
        }
        host2.call("acquire " + text(lease) + " lvb");
        assertThat(host2.call("getlvb " + text(lease))).isEqualTo("job=8,state=done"); // one sector, overwritten in front
        host2.call("release " + text(lease));
    }

    @Test
    void theValueBlockNeedsTheLvbFlagAndFitsInASector(TestInfo test) throws Exception {
        Resource lease = lease(test);
        try (Registration reg = sanlock.register("it-lvb")) {
            assertThatThrownBy(() -> reg.getLvb(lease, 16)).isInstanceOf(SanlockException.NotFound.class);
            reg.acquire(lease);
            assertThatThrownBy(() -> reg.getLvb(lease, 16)).isInstanceOf(SanlockException.Invalid.class);
            reg.release(lease);
            reg.acquire(lease, AcquireFlag.LVB);
            assertThatThrownBy(() -> reg.setLvb(lease, new byte[513]))
                    .isInstanceOfSatisfying(SanlockException.Invalid.class, e -> assertThat(e.codeName()).isEqualTo("E2BIG"));
            reg.release(lease);
        }
    }

    @Test
    void closingARegistrationOrKillingItsProcessReleasesItsLeases(TestInfo test) throws Exception {
        Resource lease = lease(test);
        Registration reg = sanlock.register("it-close");
        reg.acquire(lease);
        assertThat(host2.call("owners " + text(lease))).startsWith("1 1:");
        long t0 = System.nanoTime();
        reg.close();
        awaitOwners(lease, "1");
        System.out.printf("a closed registration's lease was free after %d ms%n", ms(t0));
        assertThatThrownBy(reg::inquire).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");

        host2.call("acquire " + text(lease));
        assertThat(host2.call("owners " + text(lease))).startsWith("2 2:");
        t0 = System.nanoTime();
        host2.kill();
        try (Registration mine = sanlock.register("it-close")) {
            acquireWithin(mine, lease, Duration.ofSeconds(10));
            System.out.printf("a killed process's lease was acquired here %d ms after the kill%n", ms(t0));
            assertThat(mine.inquire()).containsExactly(lease.withVersion(3));
            mine.release(lease);
        } finally {
            startHost2();
        }
    }

    @Test
    void aSharedLeaseIsHeldByBothHostsAndRefusedExclusively(TestInfo test) throws Exception {
        Resource lease = lease(test).withShared(true);
        host2.call("acquire " + text(lease) + " shared");
        try (Registration reg = sanlock.register("it-shared")) {
            reg.acquire(lease);
            assertThat(reg.inquire()).containsExactly(lease);
            ResourceOwners owners = sanlock.readResourceOwners(lease);
            assertThat(owners.shared()).isTrue();
            assertThat(owners.owners()).extracting(Owner::hostId).containsExactlyInAnyOrder(1L, 2L);
            host2.call("release " + text(lease));
            // exclusive against a live shared holder: sanlock takes the lease, sees the holder, gives it back
            assertThatThrownBy(() -> host2.call("acquire " + text(lease)))
                    .isInstanceOfSatisfying(HostProcess.Failed.class, f -> assertThat(f.codeName).isEqualTo("EAGAIN"));
            reg.release(lease);
        }
        host2.call("acquire " + text(lease));
        host2.call("release " + text(lease));
    }

    @Test
    void aLeaseOfALockspaceNotJoinedIsRefused(TestInfo test) throws Exception {
        Resource elsewhere = Resource.of("elsewhere", "r", lease(test).disks().get(0));
        try (Registration reg = sanlock.register("it-notjoined")) {
            assertThatThrownBy(() -> reg.acquire(elsewhere)).isInstanceOfSatisfying(SanlockException.NotJoined.class,
                    e -> assertThat(e.codeName()).isEqualTo("ENOSPC"));
            assertThat(reg.inquire()).isEmpty();
        }
        assertThatThrownBy(() -> sanlock.request(elsewhere, 2, ForceMode.FORCE)).isInstanceOf(SanlockException.NotJoined.class);
        assertThatThrownBy(() -> sanlock.hosts("elsewhere")).isInstanceOf(SanlockException.NotFound.class);
    }

    @Test
    void aLeaseIsHeldOnceAndReleasedOnlyWhereHeld(TestInfo test) throws Exception {
        Resource lease = lease(test);
        try (Registration a = sanlock.register("it-a"); Registration b = sanlock.register("it-b")) {
            a.acquire(lease);
            assertThatThrownBy(() -> a.acquire(lease)).isInstanceOf(SanlockException.Exists.class);
            assertThatThrownBy(() -> b.acquire(lease)).isInstanceOf(SanlockException.Exists.class);
            assertThatThrownBy(() -> b.release(lease)).isInstanceOf(SanlockException.NotFound.class);
            a.releaseAll();
            assertThat(a.inquire()).isEmpty();
            assertThatThrownBy(() -> a.release(lease)).isInstanceOf(SanlockException.NotFound.class);
        }
    }

    @Test
    void aLeaseOfAnotherVersionIsRefused(TestInfo test) throws Exception {
        Resource lease = lease(test);
        try (Registration reg = sanlock.register("it-version")) {
            reg.acquire(lease);
            reg.release(lease);
            assertThatThrownBy(() -> reg.acquire(lease.withVersion(5)))
                    .isInstanceOfSatisfying(SanlockException.VersionMismatch.class, e -> assertThat(e.code()).isEqualTo(-240));
            reg.acquire(lease.withVersion(1));
            assertThat(reg.inquire()).containsExactly(lease.withVersion(2));
            assertThatThrownBy(() -> sanlock.request(lease, 2, ForceMode.FORCE))
                    .isInstanceOfSatisfying(SanlockException.VersionMismatch.class,
                            e -> assertThat(e.codeName()).isEqualTo("REQUEST_OLD"));
            reg.release(lease);
        }
    }

    @Test
    void fullLengthNamesGoThroughTheDaemonAndBack() throws Exception {
        String name = "v".repeat(48);
        Path file = sparse(name.substring(0, 8) + ".lease", 1 << 20);
        Resource lease = Resource.of("hr", name, new Disk(file.toString(), 0));
        sanlock.writeResource(lease, G, 0);
        assertThat(sanlock.readResource(lease.disks().get(0)).name()).isEqualTo(name);
        try (Registration reg = sanlock.register("o".repeat(48))) {
            reg.acquire(lease);
            assertThat(reg.inquire()).containsExactly(lease.withVersion(1));
            reg.release(lease);
        }
    }

    @Test
    void aLockspaceIsJoinedOnceWithOneHostIdAndLeftOnlyUnused(TestInfo test) throws Exception {
        Path file = sparse("life.ids", 1 << 20);
        Lockspace life = new Lockspace("life", 1, new Disk(file.toString(), 0));
        sanlock.writeLockspace(life, G, 0, IO);
        assertThat(sanlock.inqLockspace(life)).isEqualTo(LockspaceState.ABSENT);
        long t0 = System.nanoTime();
        sanlock.addLockspace(life, IO);
        assertThat(sanlock.inqLockspace(life)).isEqualTo(LockspaceState.IN_PROGRESS);
        assertThat(sanlock.lockspaces()).contains(new LockspaceInfo(life, true, false));
        assertThatThrownBy(() -> sanlock.addLockspace(life, IO)).isInstanceOf(SanlockException.InProgress.class);
        assertThat(sanlock.awaitLockspace(life, JOIN)).isEqualTo(LockspaceState.JOINED);
        System.out.printf("add_lockspace + inq_lockspace(INQ_WAIT): joined in %d ms%n", ms(t0));
        assertThat(sanlock.lockspaces()).contains(new LockspaceInfo(life, false, false), new LockspaceInfo(hr, false, false));
        assertThat(hostsOnceSeen("life")).extracting(Host::hostId).containsExactly(1L);

        assertThatThrownBy(() -> sanlock.addLockspace(life, IO)).isInstanceOf(SanlockException.Exists.class);
        assertThatThrownBy(() -> sanlock.addLockspace(new Lockspace("life", 2, life.disk()), IO))
                .isInstanceOfSatisfying(SanlockException.Invalid.class, e -> assertThat(e.codeName()).isEqualTo("EINVAL"));
        assertThatThrownBy(() -> sanlock.addLockspace(new Lockspace("other", 1, life.disk()), IO))
                .isInstanceOf(SanlockException.Invalid.class);

        Resource lease = Resource.of("life", "r", new Disk(sparse(test.getTestMethod().orElseThrow().getName() + ".lease", 1 << 20).toString(), 0));
        sanlock.writeResource(lease, G, 0);
        try (Registration reg = sanlock.register("it-life")) {
            reg.acquire(lease);
            assertThatThrownBy(() -> sanlock.remLockspace(life, Set.of(Sanlock.RemoveFlag.UNUSED)))
                    .isInstanceOfSatisfying(SanlockException.Busy.class, e -> assertThat(e.code()).isEqualTo(-16));
            assertThatThrownBy(() -> sanlock.leaveLockspace(life, JOIN)).isInstanceOf(SanlockException.Busy.class);
            assertThat(sanlock.inqLockspace(life)).isEqualTo(LockspaceState.JOINED);
            reg.release(lease);
        }
        t0 = System.nanoTime();
        sanlock.leaveLockspace(life, JOIN);
        System.out.printf("rem_lockspace(UNUSED|ASYNC) + inq_lockspace polling: left in %d ms%n", ms(t0));
        assertThat(sanlock.inqLockspace(life)).isEqualTo(LockspaceState.ABSENT);
        assertThat(sanlock.lockspaces()).extracting(LockspaceInfo::lockspace).doesNotContain(life);
        assertThatThrownBy(() -> sanlock.remLockspace(life, EnumSet.of(Sanlock.RemoveFlag.UNUSED)))
                .isInstanceOfSatisfying(SanlockException.NotFound.class, e -> assertThat(e.codeName()).isEqualTo("ENOENT"));

        t0 = System.nanoTime();
        sanlock.joinLockspace(life, IO, JOIN);
        System.out.printf("a clean rejoin took %d ms%n", ms(t0));
        t0 = System.nanoTime();
        sanlock.remLockspace(life, EnumSet.of(Sanlock.RemoveFlag.UNUSED));
        System.out.printf("rem_lockspace(UNUSED), waiting: %d ms%n", ms(t0));
        assertThat(sanlock.inqLockspace(life)).isEqualTo(LockspaceState.ABSENT);
    }

    @Test
    void aForcedRequestKillsTheHolderAndFreesTheLease(TestInfo test) throws Exception {
        Resource lease = lease(test);
        host2.call("acquire " + text(lease));
        long version = sanlock.readResourceOwners(lease).version();
        long t0 = System.nanoTime();
        sanlock.request(lease, version + 1, ForceMode.FORCE);
        try {
            assertThat(host2.awaitExit(Duration.ofSeconds(15))).isEqualTo(128 + 9);
            System.out.printf("request FORCE: the holder was SIGKILLed %d ms after the request%n", ms(t0));
            try (Registration reg = sanlock.register("it-force")) {
                acquireWithin(reg, lease, Duration.ofSeconds(10));
                System.out.printf("request FORCE: the lease was acquired here %d ms after the request%n", ms(t0));
                reg.release(lease);
            }
        } finally {
            startHost2();
        }
    }

    @Test
    void aGracefulRequestRunsTheHoldersKillpath(TestInfo test) throws Exception {
        Resource lease = lease(test);
        Path marker = dir.resolve(test.getTestMethod().orElseThrow().getName() + ".killed");
        host2.call("killpath /usr/bin/touch " + marker);
        host2.call("acquire " + text(lease));
        long t0 = System.nanoTime();
        sanlock.request(lease, 0, ForceMode.GRACEFUL);
        // The holder learns of the request at its daemon's renewals (the requester's bitmap first,
        // then the holder's examine): typically 4-7 s with io 1 s here, past 15 s on a loaded machine.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (!Files.exists(marker)) {
            assertThat(System.nanoTime()).as("the killpath ran within 45 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        System.out.printf("request GRACEFUL: the holder's killpath ran %d ms after the request%n", ms(t0));
        assertThat(host2.alive()).isTrue();
        host2.call("release " + text(lease));
        try (Registration reg = sanlock.register("it-graceful")) {
            acquireWithin(reg, lease, Duration.ofSeconds(5));
            reg.release(lease);
        }
    }

    @Test
    void aPersistentLeaseOutlivesItsRegistrationAsAnOrphan(TestInfo test) throws Exception {
        Resource lease = lease(test).withPersistent(true);
        Resource other = lease(test, "-other");
        try (Registration first = sanlock.register("it-orphan")) {
            first.acquire(lease);
        }
        awaitOwnersAfterClose(lease);
        assertThat(host2.call("owners " + text(lease))).startsWith("1 1:");
        try (Registration second = sanlock.register("it-orphan")) {
            assertThatThrownBy(() -> second.acquire(other, AcquireFlag.ORPHAN_ONLY)).isInstanceOf(SanlockException.NotFound.class);
            assertThatThrownBy(() -> second.acquire(lease)).isInstanceOfSatisfying(SanlockException.Exists.class,
                    e -> assertThat(e.codeName()).isEqualTo("EUCLEAN"));
            second.acquire(lease, AcquireFlag.ORPHAN_ONLY);
            assertThat(second.inquire()).extracting(Resource::name).containsExactly(lease.name());
        }
        awaitOwnersAfterClose(lease);
        try (Registration third = sanlock.register("it-orphan")) {
            third.releaseOrphan(lease);
            awaitOwners(lease, Long.toString(sanlock.readResourceOwners(lease).version()));
            assertThatThrownBy(() -> third.acquire(lease, AcquireFlag.ORPHAN_ONLY)).isInstanceOf(SanlockException.NotFound.class);
            third.acquire(lease, AcquireFlag.ORPHAN);
            third.release(lease);
        }
        awaitOwners(lease, Long.toString(sanlock.readResourceOwners(lease).version()));
    }

    @Test
    void callsOnOneRegistrationTakeTurns(TestInfo test) throws Exception {
        int threads = 6;
        List<Resource> leases = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            leases.add(lease(test, "-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Registration reg = sanlock.register("it-turns")) {
            List<Callable<Void>> work = new ArrayList<>();
            for (Resource lease : leases) {
                work.add(() -> {
                    for (int round = 0; round < 5; round++) {
                        reg.acquire(lease);
                        reg.inquire();
                        reg.release(lease);
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(work, 60, TimeUnit.SECONDS)) {
                f.get(); // an EBUSY from the daemon would fail here
            }
            assertThat(reg.inquire()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
        for (Resource lease : leases) {
            assertThat(sanlock.readResource(lease.disks().get(0)).version()).isEqualTo(5);
        }
    }

    // ---

    private static void startHost2() throws IOException, InterruptedException {
        if (host2 != null) {
            host2.close();
        }
        host2 = HostProcess.start("host2", daemon2, dir.resolve("host2-" + restarts++ + ".log"));
        host2.call("register it-host2");
    }

    /** A fresh lease file of this test, formatted for a lease named after it in {@code hr}. */
    private static Resource lease(TestInfo test) throws IOException {
        return lease(test, "");
    }

    private static Resource lease(TestInfo test, String suffix) throws IOException {
        String name = test.getTestMethod().orElseThrow().getName();
        name = name.substring(0, Math.min(40, name.length())) + suffix;
        Resource r = Resource.of("hr", name, new Disk(sparse(name + ".lease", 1 << 20).toString(), 0));
        sanlock.writeResource(r, G, 0);
        return r;
    }

    private static Path sparse(String name, long size) throws IOException {
        return LeaseFixtures.sparse(dir, name, size);
    }

    /** Waits until {@code host} (null: this one) sees host {@code hostId} of hr in {@code state}. */
    private static void awaitHostState(HostProcess host, long hostId, HostState state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            boolean there;
            try {
                there = host == null
                        ? sanlock.host("hr", hostId).map(h -> h.state() == state).orElse(false)
                        : Arrays.asList(host.call("hosts hr").split(" ")).contains(hostId + ":" + state);
            } catch (SanlockException.Again notYet) {
                there = false;
            } catch (HostProcess.Failed f) {
                if (!f.kind.equals("Again")) {
                    throw f;
                }
                there = false;
            }
            if (there) {
                return;
            }
            assertThat(System.nanoTime()).as("host %d %s within 15 s", hostId, state).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** get_hosts, once the daemon has looked at the other hosts after the join (-EAGAIN before). */
    private static List<Host> hostsOnceSeen(String lockspace) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                return sanlock.hosts(lockspace);
            } catch (SanlockException.Again notYet) {
                assertThat(System.nanoTime()).as("get_hosts answers within 5 s of the join").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    /** Waits until host 2 reads {@code expected} (version, owners) for {@code lease}. */
    private static void awaitOwners(Resource lease, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!host2.call("owners " + text(lease)).equals(expected)) {
            assertThat(System.nanoTime()).as("owners of %s became '%s' within 10 s", lease, expected).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits until the daemon has turned a closed registration's persistent lease into an orphan. */
    private static void awaitOwnersAfterClose(Resource lease) throws InterruptedException {
        Thread.sleep(200);
        assertThat(host2.call("owners " + text(lease))).as("an orphan is still owned on disk").contains(" 1:");
    }
}
