package org.headroom.lease.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.HostProcess;
import org.headroom.lease.sanlock.LeaseFixtures;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Closer;
import org.headroom.testing.Lab;
import org.headroom.testing.SanlockDaemon;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Two SPM candidates of one domain, each a process with its own sanlock daemon: host 1 is this JVM,
 * host 2 a JVM of its own ({@link SpmHostMain}). Only one is ever the SPM; a hand-over or the SPM's
 * death moves the role; an SPM whose lockspace is removed stops serving before the other host can
 * take the SDM lease. Times across the two processes are wall-clock ms of one machine.
 */
class SpmElectionIT {
    private static final int IO = 1;
    private static final Duration INTERVAL = Duration.ofMillis(300);

    private final Closer toClose = new Closer();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private Path root;
    private FileStorageDomain domain;
    private SanlockLeases leases;
    private ThreadScheduler scheduler;
    private HostProcess host2;
    private SanlockDaemon daemon1;

    @BeforeEach
    void twoCandidatesJoined(TestInfo test) throws Exception {
        root = LeaseFixtures.fresh(Path.of("target/spm-it", test.getTestMethod().orElseThrow().getName()));
        domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        daemon1 = toClose.add(SanlockDaemon.startForThisProcess("host1"));
        SanlockDaemon daemon2 = toClose.add(SanlockDaemon.start(Path.of("target/sanlock/host2"), "host2"));
        host2 = toClose.add(HostProcess.start("host2", daemon2, root.resolve("host2.log"), SpmHostMain.class,
                root.toString(), domain.uuid().toString(), "2", Integer.toString(IO), agentDir("2").toString(),
                Long.toString(INTERVAL.toMillis())));
        Sanlock sanlock = toClose.add(Sanlock.open(CallBounds.forIoTimeout(IO)));
        scheduler = toClose.add(ThreadScheduler.create("leases", 1, 64));
        leases = toClose.add(new SanlockLeases(sanlock, 1, DomainSet.of(root.resolve("run-1"), domain), IO, scheduler,
                agentDir("1")));
        leases.start();
        CompletableFuture<String> joined2 = CompletableFuture.supplyAsync(() -> host2.call("joined"));
        leases.awaitJoined(domain.uuid(), Duration.ofSeconds(30));
        joined2.get(40, TimeUnit.SECONDS);
    }

    @AfterEach
    void cleanUp() throws Exception {
        toClose.close();
    }

    private Path agentDir(String host) throws java.io.IOException {
        return AgentFixtures.agentDir(toClose, host);
    }

    private SpmElection host1() {
        SpmElection e = new SpmElection(leases, domain.uuid(), scheduler, INTERVAL, System::currentTimeMillis,
                new SpmElection.Role() {
                    @Override
                    public void elected(long sinceMillis) {
                        events.add("serves@" + System.currentTimeMillis());
                    }

                    @Override
                    public void deposed(String why) {
                        events.add("stopped@" + System.currentTimeMillis());
                    }
                });
        toClose.add(e); // closed before the leases (added after them)
        e.start();
        return e;
    }

    private boolean host2Holds() {
        return host2.call("status").startsWith("held=true");
    }


    @Test
    void ofTwoCandidatesOneIsTheSpmAndAHandOverMovesTheRole() throws Exception {
        SpmElection one = host1();
        host2.call("elect");
        AgentFixtures.await("an SPM", Duration.ofSeconds(15), () -> one.status().held() || host2Holds());
        Thread.sleep(3 * INTERVAL.toMillis());
        boolean oneHolds = one.status().held();
        assertThat(oneHolds).as("exactly one SPM").isNotEqualTo(host2Holds());
        int spm = oneHolds ? 1 : 2;
        assertThat(one.status().spmHostId()).isEqualTo(spm);
        assertThat(host2.call("status")).endsWith("spm=" + spm);

        if (oneHolds) {
            assertThat(one.handOver()).isTrue();
            AgentFixtures.await("host 2 takes the role", Duration.ofSeconds(15), this::host2Holds);
            assertThat(one.status().held()).isFalse();
            assertThat(one.status().spmHostId()).isEqualTo(2);
        } else {
            assertThat(host2.call("handover")).isEqualTo("true");
            AgentFixtures.await("host 1 takes the role", Duration.ofSeconds(15), () -> one.status().held());
            assertThat(host2Holds()).isFalse();
        }
    }

    @Test
    void whenTheSpmsAgentDiesTheOtherCandidateTakesTheRole() throws Exception {
        host2.call("elect");
        AgentFixtures.await("host 2 is the SPM", Duration.ofSeconds(15), this::host2Holds);
        SpmElection one = host1();
        Thread.sleep(3 * INTERVAL.toMillis());
        assertThat(one.status().held()).isFalse();
        assertThat(one.status().problem()).contains("held by host 2");

        // The agent dies, its daemon lives: the daemon releases its leases at once.
        long killed = System.currentTimeMillis();
        host2.kill();
        AgentFixtures.await("host 1 takes the role", Duration.ofSeconds(15), () -> one.status().held());
        System.out.printf("SPM agent killed -> the other candidate serves: %d ms (interval %d ms)%n",
                AgentFixtures.at(String.join(" ", events), "serves") - killed, INTERVAL.toMillis());
    }

    @Test
    void anSpmWhoseLockspaceFailsStopsServingBeforeTheOtherHostTakesTheLeaseAndLivesOn() throws Exception {
        SpmElection one = host1();
        AgentFixtures.await("host 1 is the SPM", Duration.ofSeconds(15), () -> one.status().held());
        host2.call("elect");
        Thread.sleep(3 * INTERVAL.toMillis());
        assertThat(host2Holds()).isFalse();

        // Host 1's storage hangs for longer than sanlock's renewal timeout (8 I/O timeouts): its
        // daemon, stopped meanwhile, finds its lockspace failed when it runs again, and asks for
        // the leases back through the killpath. The agent gives them up, SPM role first; only
        // then can host 2 take the SDM lease. The JVM is not killed.
        Lab.run("kill", "-STOP", Long.toString(daemon1.pid()));
        try {
            Thread.sleep(Duration.ofSeconds(8L * IO + 3).toMillis());
        } finally {
            Lab.run("kill", "-CONT", Long.toString(daemon1.pid()));
        }
        AgentFixtures.await("host 2 takes the role", Duration.ofSeconds(60), this::host2Holds);
        long stopped = AgentFixtures.at(String.join(" ", events), "stopped");
        long serves2 = AgentFixtures.at(host2.call("events"), "serves");
        assertThat(stopped).as("host 1 stopped serving (%d) before host 2 served (%d)", stopped, serves2)
                .isLessThanOrEqualTo(serves2);
        assertThat(one.status().held()).isFalse();
        assertThat(daemon1.alive()).isTrue();
        System.out.printf("lockspace failed: host 1 stopped serving at +0, host 2 serves at +%d ms%n", serves2 - stopped);
    }
}
