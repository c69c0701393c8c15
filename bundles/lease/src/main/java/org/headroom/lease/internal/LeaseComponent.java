package org.headroom.lease.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.headroom.api.jobs.StorageJobs;
import org.headroom.api.lease.HostStatus;
import org.headroom.api.lease.LeaseService;
import org.headroom.api.spm.SpmElectionService;
import org.headroom.api.spm.SpmLeadership;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.runtime.ThreadScheduler;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease service and the storage jobs of this host, over the sanlock daemon of the host
 * ({@code SANLOCK_RUN_DIR}, by default {@code /run/sanlock}). Stopping it gives every lease up, so
 * that other hosts may take them at once. It leaves the lockspaces only when its configuration is
 * deleted or changed (another host id, another I/O timeout): a restart or an update of the bundle,
 * or of the agent, finds them still joined, the daemon having renewed them meanwhile, and serves
 * again within a second instead of after a join's 2 to 5 I/O timeouts.
 */
@Component(configurationPid = "org.headroom.lease", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = LeaseConfig.class)
public class LeaseComponent {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseComponent.class);
    /** Watches of the leases, and little else: a queue of a few is plenty. */
    private static final int WATCH_QUEUE = 16;
    /** Declarative Services' deactivation reasons (ComponentConstants) after which this host leaves its lockspaces. */
    private static final int REASON_DISABLED = 1;
    private static final int REASON_CONFIGURATION_MODIFIED = 3;
    private static final int REASON_CONFIGURATION_DELETED = 4;

    @Reference
    StorageDomains storage;

    private Sanlock sanlock;
    private ThreadScheduler watcher;
    private ThreadScheduler workers;
    private SanlockLeases leases;
    private SpmElection election;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    /** Registers the two implementations under their contracts (not delegates of this component). */
    @Activate
    void activate(BundleContext context, LeaseConfig config) throws IOException {
        try {
            sanlock = Sanlock.open(CallBounds.forIoTimeout(config.io__timeout__s()));
            watcher = ThreadScheduler.create("leases", 1, WATCH_QUEUE);
            workers = ThreadScheduler.create("storage-jobs", config.job__workers(), 64);
            leases = new SanlockLeases(sanlock, config.host__id(), storage, config.io__timeout__s(), watcher,
                    Path.of(config.run__dir()));
            leases.start();
            SanlockJobs jobs = new SanlockJobs(leases, storage, config.host__id(), workers, System::currentTimeMillis);
            registrations.add(context.registerService(LeaseService.class, leases, null));
            registrations.add(context.registerService(StorageJobs.class, jobs, null));
            if (config.spm__candidate()) {
                UUID domain = spmDomain(config);
                election = new SpmElection(leases, domain, watcher, Duration.ofMillis(config.spm__interval__ms()),
                        System::currentTimeMillis, new Leadership(context, domain));
                registrations.add(context.registerService(SpmElectionService.class, election, null));
                election.start();
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("leases: activation failed ({}); stopping what had started", e.toString());
            stop(false);
            throw e;
        }
    }

    private UUID spmDomain(LeaseConfig config) {
        if (!config.spm__domain().isBlank()) {
            UUID uuid = UUID.fromString(config.spm__domain().trim());
            if (storage.domain(uuid).isEmpty()) {
                throw new IllegalArgumentException("spm_domain " + uuid + " is not connected");
            }
            return uuid;
        }
        List<StorageDomain> connected = storage.domains();
        if (connected.size() != 1) {
            throw new IllegalArgumentException("spm_candidate needs spm_domain: " + connected.size() + " domains are connected");
        }
        return connected.get(0).uuid();
    }

    /** The SPM role as an OSGi service: registered while the SDM lease is held, unregistered before it is released. */
    private final class Leadership implements SpmElection.Role {
        private final BundleContext context;
        private final UUID domain;
        private ServiceRegistration<SpmLeadership> registered;

        Leadership(BundleContext context, UUID domain) {
            this.context = context;
            this.domain = domain;
        }

        @Override
        public void elected(long sinceMillis) {
            SpmElection of = election;
            registered = context.registerService(SpmLeadership.class, new SpmLeadership() {
                @Override
                public UUID domain() {
                    return domain;
                }

                @Override
                public long sinceMillis() {
                    return sinceMillis;
                }

                @Override
                public Optional<Set<Integer>> liveHosts() {
                    try {
                        Set<Integer> live = leases.lockspace(domain).hosts().stream()
                                .filter(h -> h.state().equals("LIVE") || h.state().equals("FAIL"))
                                .map(HostStatus::hostId).collect(Collectors.toSet());
                        return live.isEmpty() ? Optional.empty() : Optional.of(live);
                    } catch (RuntimeException e) {
                        return Optional.empty(); // the daemon did not say: every block is read
                    }
                }

                @Override
                public void resign(String why) {
                    of.resign(why);
                }
            }, null);
        }

        @Override
        public void deposed(String why) {
            if (registered != null) {
                registered.unregister(); // the mailbox's SPM side stops within this call
                registered = null;
            }
        }
    }

    @Deactivate
    void deactivate(int reason) {
        stop(reason == REASON_DISABLED || reason == REASON_CONFIGURATION_MODIFIED || reason == REASON_CONFIGURATION_DELETED);
    }

    private void stop(boolean leaveLockspaces) {
        if (election != null) {
            election.close(); // the SPM side stops, then the SDM lease is released
            election = null;
        }
        // Users first (they stop what the leases allowed), then the leases are given up.
        for (ServiceRegistration<?> r : registrations) {
            r.unregister();
        }
        registrations.clear();
        if (leases != null) {
            leases.close(leaveLockspaces);
            leases = null;
        }
        for (ThreadScheduler s : new ThreadScheduler[] {watcher, workers}) {
            if (s != null) {
                s.close();
            }
        }
        watcher = workers = null;
        if (sanlock != null) {
            try {
                sanlock.close();
            } catch (Exception e) {
                LOG.warn("leases: closing the sanlock binding: {}", e.toString());
            }
            sanlock = null;
        }
    }
}
