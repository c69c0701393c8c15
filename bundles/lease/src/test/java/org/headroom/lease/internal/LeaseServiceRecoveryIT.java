package org.headroom.lease.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.headroom.api.lease.HeldLease;
import org.headroom.api.lease.LeaseException;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.Disk;
import org.headroom.lease.sanlock.LeaseFixtures;
import org.headroom.lease.sanlock.Lockspace;
import org.headroom.lease.sanlock.LockspaceState;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Closer;
import org.headroom.testing.SanlockDaemon;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The lease service against a daemon that comes and goes, as an agent meets it on a host: started
 * before sanlock, it registers and joins once the daemon is up; the daemon killed under a held
 * lease, the lease is reported lost and the service registers and joins again when a daemon is
 * back; stopped without leaving, its lockspace stays joined and the next start serves at once.
 */
class LeaseServiceRecoveryIT {
    private static final int IO = 1;

    private final Closer toClose = new Closer();
    private final List<String> lost = new CopyOnWriteArrayList<>();
    private FileStorageDomain domain;
    private DomainSet domains;
    private Sanlock sanlock;
    private ThreadScheduler scheduler;
    private Path agentDir;

    @BeforeEach
    void storage(TestInfo test) throws Exception {
        Path root = LeaseFixtures.fresh(Path.of("target/recovery-it", test.getTestMethod().orElseThrow().getName()));
        domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        domains = DomainSet.of(root.resolve("run"), domain);
        sanlock = toClose.add(Sanlock.open(CallBounds.forIoTimeout(IO)));
        scheduler = toClose.add(ThreadScheduler.create("leases", 1, 64));
        agentDir = AgentFixtures.agentDir(toClose, "r");
    }

    @AfterEach
    void cleanUp() throws Exception {
        toClose.close();
    }

    private SanlockLeases service() throws Exception {
        SanlockLeases leases = new SanlockLeases(sanlock, 1, domains, IO, scheduler, agentDir);
        leases.onLeaseLost((d, why) -> lost.add(why));
        leases.start();
        return leases;
    }

    private Lockspace lockspace() {
        return new Lockspace(domain.uuid().toString(), 1, new Disk(domain.path().resolve("dom_md/ids").toString(), 0));
    }

    @Test
    void startedBeforeTheDaemonItRegistersAndJoinsOnceTheDaemonIsUp() throws Exception {
        SanlockLeases leases = toClose.add(service());
        assertThat(leases.registrationProblem()).as("no daemon yet").isNotEmpty();
        assertThat(leases.lockspace(domain.uuid()).state()).isEqualTo("FAILED");
        assertThatThrownBy(() -> leases.acquire(leases.sdmLease(domain.uuid())))
                .isInstanceOf(LeaseException.class).hasMessageContaining("not registered with the sanlock daemon");

        SanlockDaemon daemon = toClose.add(SanlockDaemon.startForThisProcess("recovery"));
        assertThat(daemon.alive()).isTrue();
        AgentFixtures.await("registered and joined", Duration.ofSeconds(40), () -> leases.lockspace(domain.uuid()).joined());
        assertThat(leases.registrationProblem()).isEmpty();
        try (HeldLease sdm = leases.acquire(leases.sdmLease(domain.uuid()))) {
            assertThat(sdm.held()).isTrue();
        }
    }

    @Test
    void aDaemonKilledUnderAHeldLeaseIsReportedAndANewDaemonIsJoinedAgain() throws Exception {
        SanlockDaemon first = SanlockDaemon.startForThisProcess("recovery");
        SanlockLeases leases = toClose.add(service());
        leases.awaitJoined(domain.uuid(), Duration.ofSeconds(30));
        HeldLease sdm = leases.acquire(leases.sdmLease(domain.uuid()));

        first.close(); // SIGKILL: the daemon is gone, and the lease with it
        AgentFixtures.await("the loss reported", Duration.ofSeconds(10), () -> !lost.isEmpty());
        assertThat(sdm.held()).isFalse();
        assertThat(leases.held()).isEmpty();
        assertThat(leases.registrationProblem()).isNotEmpty();
        assertThat(lost.get(0)).contains("sanlock daemon");

        toClose.add(SanlockDaemon.startForThisProcess("recovery")); // the same name: sanlock's fast rejoin
        AgentFixtures.await("registered and joined again", Duration.ofSeconds(60), () -> leases.lockspace(domain.uuid()).joined());
        try (HeldLease again = leases.acquire(leases.sdmLease(domain.uuid()))) {
            assertThat(again.held()).isTrue();
        }
    }

    @Test
    void stoppedWithoutLeavingItsLockspaceStaysJoinedForTheNextStart() throws Exception {
        toClose.add(SanlockDaemon.startForThisProcess("recovery"));
        SanlockLeases first = service();
        first.awaitJoined(domain.uuid(), Duration.ofSeconds(30));
        first.acquire(first.sdmLease(domain.uuid()));
        first.close(false);
        assertThat(sanlock.inqLockspace(lockspace())).as("still joined").isEqualTo(LockspaceState.JOINED);

        SanlockLeases second = service();
        assertThat(second.lockspace(domain.uuid()).joined()).as("joined from the start: no join to wait for").isTrue();
        try (HeldLease sdm = second.acquire(second.sdmLease(domain.uuid()))) {
            assertThat(sdm.held()).as("the SDM lease the first released").isTrue();
        }

        second.close(); // leaves
        AgentFixtures.await("the lockspace left", Duration.ofSeconds(20),
                () -> sanlock.inqLockspace(lockspace()) == LockspaceState.ABSENT);
    }
}
