package org.headroom.lease.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.headroom.api.lease.HeldLease;
import org.headroom.api.lease.LeaseHeldException;
import org.headroom.api.lease.LeaseOwner;
import org.headroom.api.lease.LeaseRef;
import org.headroom.api.lease.LeaseService;
import org.headroom.api.lease.LockspaceStatus;
import org.headroom.api.storage.VolumeRef;
import org.headroom.testing.FakeScheduler;
import org.junit.jupiter.api.Test;

/**
 * The election on a fake clock, over leases of a fake shared storage (one holder per lease, as
 * sanlock guarantees; the real thing is in SpmElectionIT). Every step of every host goes to one
 * log, so that the order of "stopped serving" and "released" is checked across hosts.
 */
class SpmElectionTest {
    private static final UUID DOMAIN = UUID.randomUUID();
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private final FakeScheduler clock = new FakeScheduler();
    private final Map<String, Integer> holders = new HashMap<>();
    private final List<String> log = new ArrayList<>();

    /** One host's leases over the shared map. */
    private final class Host implements LeaseService {
        final int id;
        final List<LeaseLostListener> lost = new ArrayList<>();
        boolean sanlockLostIt;

        Host(int id) {
            this.id = id;
        }

        @Override
        public int hostId() {
            return id;
        }

        @Override
        public List<UUID> domains() {
            return List.of(DOMAIN);
        }

        @Override
        public List<LeaseRef> held() {
            return holders.getOrDefault("SDM", 0) == id ? List.of(sdmLease(DOMAIN)) : List.of();
        }

        @Override
        public LockspaceStatus lockspace(UUID domain) {
            return new LockspaceStatus(domain, id, "JOINED", "", List.of());
        }

        @Override
        public LeaseRef sdmLease(UUID domain) {
            return new LeaseRef(domain, "SDM", Path.of("/sd/dom_md/leases"), 1 << 20);
        }

        @Override
        public LeaseRef volumeLease(VolumeRef volume) {
            throw new UnsupportedOperationException();
        }

        @Override
        public HeldLease acquire(LeaseRef ref) {
            Integer holder = holders.get(ref.name());
            if (holder != null) {
                throw new LeaseHeldException(ref + " is held by host " + holder, holder, false, null);
            }
            holders.put(ref.name(), id);
            sanlockLostIt = false;
            log.add("host " + id + " acquired");
            return new HeldLease() {
                boolean released;

                @Override
                public LeaseRef ref() {
                    return ref;
                }

                @Override
                public long version() {
                    return 1;
                }

                @Override
                public long hostGeneration() {
                    return 1;
                }

                @Override
                public boolean held() {
                    return !released && !sanlockLostIt;
                }

                @Override
                public void close() {
                    if (!released) {
                        released = true;
                        holders.remove(ref.name(), id);
                        log.add("host " + id + " released");
                    }
                }
            };
        }

        @Override
        public Optional<LeaseOwner> owner(LeaseRef ref) {
            return Optional.ofNullable(holders.get(ref.name())).map(h -> new LeaseOwner(h, 1, 1, "LIVE"));
        }

        @Override
        public AutoCloseable onLeaseLost(LeaseLostListener listener) {
            lost.add(listener);
            return () -> lost.remove(listener);
        }
    }

    private SpmElection candidate(Host host) {
        SpmElection e = new SpmElection(host, DOMAIN, clock, INTERVAL, () -> 1000, new SpmElection.Role() {
            @Override
            public void elected(long sinceMillis) {
                log.add("host " + host.id + " serves");
            }

            @Override
            public void deposed(String why) {
                log.add("host " + host.id + " stopped serving");
            }
        });
        e.start();
        return e;
    }

    @Test
    void aLoneCandidateBecomesTheSpmAtItsFirstRound() {
        SpmElection e = candidate(new Host(1));
        clock.runReady();
        assertThat(log).containsExactly("host 1 acquired", "host 1 serves");
        assertThat(e.status().held()).isTrue();
        assertThat(e.status().spmHostId()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(log).as("one election, then only inquiries").hasSize(2);
    }

    @Test
    void ofTwoCandidatesOneServesAndAHandOverStopsItBeforeTheOtherTakesTheLease() {
        SpmElection first = candidate(new Host(1));
        SpmElection second = candidate(new Host(2));
        clock.advance(Duration.ofSeconds(3));
        assertThat(log).containsExactly("host 1 acquired", "host 1 serves");
        assertThat(second.status().held()).isFalse();
        assertThat(second.status().problem()).contains("held by host 1");
        assertThat(second.status().spmHostId()).isEqualTo(1);

        assertThat(first.handOver()).isTrue();
        clock.advance(Duration.ofSeconds(SpmElection.HANDOVER_PAUSE_INTERVALS + 1));
        assertThat(log).containsExactly("host 1 acquired", "host 1 serves", "host 1 stopped serving", "host 1 released",
                "host 2 acquired", "host 2 serves");
        assertThat(first.handOver()).as("not the SPM any more").isFalse();
    }

    @Test
    void whenTheLeasesAreGivenUpTheSpmStopsServingBeforeTheLeaseIsReleasedAndContendsAgainLater() {
        Host host = new Host(1);
        SpmElection e = candidate(host);
        clock.runReady();
        host.lost.forEach(l -> l.leasesLost(DOMAIN, "the lockspace failed"));
        assertThat(log).containsExactly("host 1 acquired", "host 1 serves", "host 1 stopped serving", "host 1 released");
        assertThat(e.status().problem()).isEqualTo("the lockspace failed");
        clock.advance(INTERVAL);
        assertThat(log).endsWith("host 1 acquired", "host 1 serves");
    }

    @Test
    void anSpmWhoseLeaseSanlockNoLongerListsStopsServingAtTheNextRound() {
        Host host = new Host(1);
        SpmElection e = candidate(host);
        clock.runReady();
        host.sanlockLostIt = true;
        clock.advance(INTERVAL);
        assertThat(log).containsSubsequence("host 1 serves", "host 1 stopped serving", "host 1 released");
        assertThat(e.status().problem()).contains("no longer lists the SDM lease");
    }

    @Test
    void anSpmRoleThatFailsToStartReleasesTheLease() {
        Host host = new Host(1);
        SpmElection e = new SpmElection(host, DOMAIN, clock, INTERVAL, () -> 1000, new SpmElection.Role() {
            @Override
            public void elected(long sinceMillis) {
                throw new IllegalStateException("the outbox cannot be written");
            }

            @Override
            public void deposed(String why) {
                log.add("stopped: " + why);
            }
        });
        e.start();
        clock.runReady();
        assertThat(log).containsExactly("host 1 acquired", "stopped: starting the SPM role failed: "
                + "java.lang.IllegalStateException: the outbox cannot be written", "host 1 released");
        assertThat(holders).isEmpty();
    }

    @Test
    void closingTheElectionStopsTheRoleThenReleases() {
        SpmElection e = candidate(new Host(1));
        clock.runReady();
        e.close();
        assertThat(log).endsWith("host 1 stopped serving", "host 1 released");
        clock.advance(Duration.ofSeconds(5));
        assertThat(log).endsWith("host 1 stopped serving", "host 1 released");
        assertThat(clock.pending()).isZero();
    }
}
