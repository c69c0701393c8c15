package org.headroom.mailbox.internal;

import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.headroom.api.mailbox.ExtendFailedException;
import org.headroom.api.mailbox.ExtendService;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.VolumeRef;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's mailbox: the host side always, the SPM side when configured as SPM. On the SPM,
 * its own extend requests skip the mailbox and go straight to the volume backend.
 */
@Component(configurationPid = "org.headroom.mailbox", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {ExtendService.class, MailboxService.class})
@Designate(ocd = MailboxConfig.class)
public class MailboxComponent implements ExtendService, MailboxService {
    private static final Logger LOG = LoggerFactory.getLogger(MailboxComponent.class);

    @Reference
    StorageDomains domains;

    private MailboxPolicy policy;
    private StorageDomain domain;
    private ScheduledExecutorService hostThread;
    private HostMailbox host;
    private SpmMailbox spm;
    private ExecutorService localExtends;
    private final MailboxStats local = new MailboxStats();

    @Activate
    void activate(MailboxConfig config) throws IOException {
        policy = Policies.from(config);
        UUID uuid = UUID.fromString(config.domain().trim());
        domain = domains.domain(uuid).orElseThrow(() -> new IllegalStateException(
                "mailbox domain " + uuid + " is not connected (connected: " + domains.domains().stream().map(StorageDomain::uuid).toList() + ")"));
        hostThread = Executors.newSingleThreadScheduledExecutor(r -> named(r, "mailbox-host-" + config.host__id()));
        if (config.spm()) {
            spm = new SpmMailbox(domain, policy, config.max__host__id(), config.spm__workers());
            spm.start();
            localExtends = Executors.newFixedThreadPool(config.spm__workers(), r -> named(r, "mailbox-spm-local"));
        }
        host = new HostMailbox(config.host__id(), uuid, domain.inbox(), domain.outbox(), policy, config.max__in__flight(), hostThread);
        host.start();
    }

    @Deactivate
    void deactivate() throws IOException {
        try {
            host.close();
        } finally {
            hostThread.shutdownNow();
            if (spm != null) {
                spm.close();
                localExtends.shutdownNow();
            }
        }
    }

    @Override
    public CompletionStage<Long> extend(VolumeRef volume, long size) {
        if (spm == null) {
            return host.extend(volume, size);
        }
        long start = System.nanoTime();
        local.requests.increment();
        return CompletableFuture.supplyAsync(() -> {
            try {
                long reached = domain.volumes().extend(volume, size);
                local.replies.increment();
                return reached;
            } catch (StorageException e) {
                local.failures.increment();
                LOG.warn("SPM: extending {} in-process failed: {}", volume, e.getMessage());
                throw new ExtendFailedException(volume, e.getMessage());
            } finally {
                local.latency.record(System.nanoTime() - start);
            }
        }, localExtends);
    }

    @Override
    public HostMailbox host() {
        return host;
    }

    @Override
    public Optional<SpmMailbox> spm() {
        return Optional.ofNullable(spm);
    }

    @Override
    public MailboxPolicy policy() {
        return policy;
    }

    @Override
    public MailboxStats local() {
        return local;
    }

    private static Thread named(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
