package org.headroom.mailbox.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.mailbox.MailboxException;
import org.headroom.api.spm.SpmLeadership;
import org.headroom.api.spm.SpmRole;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.MailboxService;
import org.headroom.mailbox.MailboxStatus;
import org.headroom.runtime.ThreadScheduler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's mailbox: the host side always, the SPM side while this host is the SPM. It is the
 * SPM while the lease service registers an {@link SpmLeadership} for the mailbox's domain (this
 * host holds its SDM lease): the SPM side starts when it appears and stops, before the lease is
 * released, when it goes: no setting makes a host the SPM, so that two hosts can never both be
 * one. On the SPM, its own extend requests skip the mailbox and go straight to the volume backend.
 *
 * <p>Every part it starts is stopped again if a later part fails to start: a half-activated
 * component leaves no SPM serving behind it.
 */
@Component(configurationPid = "org.headroom.mailbox", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {ExtendService.class, MailboxService.class, SpmRole.class})
@Designate(ocd = MailboxConfig.class)
public class MailboxComponent implements ExtendService, MailboxService, SpmRole {
    private static final Logger LOG = LoggerFactory.getLogger(MailboxComponent.class);
    /** Ticks, resends and timeouts of the host side waiting for its thread. */
    private static final int HOST_QUEUE = 1_000;

    @Reference
    StorageDomains domains;

    private MailboxPolicy policy;
    private StorageDomain domain;
    private int hostId;
    private int maxHostId;
    private ThreadScheduler hostThread;
    private HostMailbox host;
    private volatile SpmMailbox spm;
    private ThreadScheduler spmInbox;
    private ThreadScheduler spmOutbox;
    private volatile ThreadScheduler spmWorkers;
    private int spmWorkerCount;
    private boolean active;
    /** The SDM lease held for this mailbox's domain, as the lease service tells it; null: not the SPM by lease. */
    private SpmLeadership leadership;
    private final MailboxStats local = new MailboxStats();

    @Activate
    void activate(MailboxConfig config, java.util.Map<String, Object> properties) throws IOException {
        if (properties.containsKey("spm")) {
            // The old static role: ignored, so that two hosts so configured can never both serve.
            LOG.warn("mailbox: 'spm' is no longer a setting and is ignored: the SPM is the host holding the SDM lease "
                    + "(etc/org.headroom.lease.cfg: spm_candidate = true)");
        }
        policy = Policies.from(config);
        UUID uuid = UUID.fromString(config.domain().trim());
        hostId = config.host__id();
        maxHostId = config.max__host__id();
        domain = domains.domain(uuid).orElseThrow(() -> new IllegalStateException(
                "mailbox domain " + uuid + " is not connected (connected: " + domains.domains().stream().map(StorageDomain::uuid).toList() + ")"));
        spmWorkerCount = config.spm__workers();
        try {
            synchronized (this) {
                if (leadership != null && leadership.domain().equals(uuid)) {
                    startSpm();
                }
                active = true;
            }
            hostThread = ThreadScheduler.create("mailbox-host-" + hostId, 1, HOST_QUEUE);
            host = new HostMailbox(hostId, uuid, domain.inbox(), domain.outbox(), policy, config.max__in__flight(), hostThread);
            host.start();
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("mailbox: activation failed ({}); stopping what had started", e.toString());
            deactivate();
            throw e;
        }
    }

    /** This host became the SPM of a domain by its SDM lease: the SPM side starts if it is this mailbox's. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindLeadership(SpmLeadership held) {
        leadership = held;
        if (!active || domain == null || !held.domain().equals(domain.uuid()) || spm != null) {
            return;
        }
        try {
            startSpm();
            LOG.info("mailbox: serving the SPM side of {}: this host holds its SDM lease", domain.uuid());
        } catch (IOException | RuntimeException e) {
            // An SPM that cannot serve must not keep the lease: another candidate may.
            LOG.error("mailbox: this host holds the SDM lease of {} but its SPM side failed to start ({}); resigning",
                    domain.uuid(), e.toString());
            stopSpm();
            held.resign("the mailbox's SPM side failed to start: " + e);
        }
    }

    /** Called before the SDM lease is released: the SPM side stops first. */
    synchronized void unbindLeadership(SpmLeadership held) {
        if (leadership != held) {
            return;
        }
        leadership = null;
        if (spm != null) {
            LOG.info("mailbox: no longer the SPM of {}: stopping the SPM side", domain.uuid());
            stopSpm();
        }
    }

    private void startSpm() throws IOException {
        spmInbox = ThreadScheduler.create("mailbox-spm", 1, 16);
        spmOutbox = ThreadScheduler.create("mailbox-spm-outbox", 1, 16);
        // One task per request at most: every slot of every host at once.
        spmWorkers = ThreadScheduler.create("mailbox-spm-extend", spmWorkerCount, maxHostId * 63 + 1024);
        SpmMailbox side = new SpmMailbox(domain, policy, maxHostId, spmInbox, spmOutbox, spmWorkers);
        SpmLeadership held = leadership;
        if (held != null) {
            side.limitPeriodicScanTo(held::liveHosts); // hosts that write no events: only the live ones' blocks
        }
        side.start();
        spm = side;
    }

    /** Stops the SPM side and its threads; a request it was extending fails (the host asks again). */
    private void stopSpm() {
        SpmMailbox side = spm;
        spm = null;
        if (side != null) {
            try {
                side.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("mailbox: stopping the SPM side: {}", e.toString());
            }
        }
        for (ThreadScheduler s : new ThreadScheduler[] {spmInbox, spmOutbox, spmWorkers}) {
            if (s != null) {
                s.close();
            }
        }
        spmInbox = spmOutbox = spmWorkers = null;
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            try {
                host.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("mailbox: stopping the host side: {}", e.toString());
            }
            host = null;
        }
        if (hostThread != null) {
            hostThread.close();
            hostThread = null;
        }
        synchronized (this) {
            active = false;
            stopSpm();
        }
    }

    @Override
    public Duration replyTimeout() {
        return policy.requestTimeout();
    }

    @Override
    public CompletionStage<Long> extend(VolumeRef volume, long size) {
        SpmMailbox serving = spm;
        if (serving == null) {
            HostMailbox h = host;
            return h != null ? h.extend(volume, size)
                    : CompletableFuture.failedFuture(new MailboxException("the mailbox is not running"));
        }
        ThreadScheduler workers = spmWorkers;
        long start = System.nanoTime();
        local.request();
        CompletableFuture<Long> done = new CompletableFuture<>();
        try {
            if (workers == null) {
                throw new RejectedExecutionException("the SPM side stopped");
            }
            workers.execute(() -> {
                try {
                    long reached = domain.volumes().extend(volume, size);
                    local.reply();
                    done.complete(reached);
                } catch (RuntimeException e) {
                    local.failure();
                    LOG.warn("SPM: extending {} in-process failed: {}", volume, e.getMessage());
                    done.completeExceptionally(new ExtendFailedException(volume, e.getMessage()));
                } finally {
                    local.latency(System.nanoTime() - start);
                }
            });
        } catch (RejectedExecutionException e) {
            local.failure();
            return CompletableFuture.failedFuture(new MailboxException("SPM: no worker free for " + volume + ": " + e.getMessage()));
        }
        // The same deadline as through the mailbox: a backend that hangs does not hold the caller for ever.
        return done.orTimeout(policy.requestTimeout().toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(e instanceof java.util.concurrent.TimeoutException
                        ? new MailboxException("SPM: extending " + volume + " in-process took longer than "
                        + policy.requestTimeout()) : e));
    }

    /** While the SPM side serves: this host holds the SDM lease. */
    @Override
    public boolean held() {
        return spm != null;
    }

    @Override
    public int spmHostId() {
        return spm != null ? hostId : 0;
    }

    @Override
    public MailboxStatus status() {
        HostMailbox h = host;
        SpmMailbox s = spm;
        String health = h == null ? "stopped" : "ok" + (!h.lastError().isEmpty() ? "; host side's last error: " + h.lastError() : "")
                + (s != null && !s.lastError().isEmpty() ? "; SPM side's last error: " + s.lastError() : "");
        return new MailboxStatus(domain.uuid().toString(), policy.name(), hostId, s != null, maxHostId,
                h == null ? MailboxStats.NONE : h.stats(), s == null ? MailboxStats.NONE : s.stats(),
                s == null ? MailboxStats.NONE : local.snapshot(), s == null ? 0 : s.bytesRead(),
                s == null ? 0 : s.bytesReadPerSecond(), health);
    }
}
