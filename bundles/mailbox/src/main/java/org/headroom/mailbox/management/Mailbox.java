package org.headroom.mailbox.management;

import java.util.function.ToLongFunction;
import org.headroom.mailbox.internal.MailboxService;
import org.headroom.mailbox.internal.MailboxStats;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = MailboxMBean.class, property = "jmx.objectname=org.headroom:type=Mailbox")
public class Mailbox implements MailboxMBean {

    @Reference
    MailboxService mailbox;

    private long spm(ToLongFunction<MailboxStats> f) {
        return mailbox.spm().map(s -> f.applyAsLong(s.stats())).orElse(0L);
    }

    @Override
    public String getPolicy() {
        return mailbox.policy().name();
    }

    @Override
    public long getHostRequests() {
        return mailbox.host().stats().requests.sum();
    }

    @Override
    public long getHostReplies() {
        return mailbox.host().stats().replies.sum();
    }

    @Override
    public long getHostFailures() {
        return mailbox.host().stats().failures.sum();
    }

    @Override
    public long getHostTimeouts() {
        return mailbox.host().stats().timeouts.sum();
    }

    @Override
    public long getHostLatencyP50() {
        return mailbox.host().stats().latency.percentileMicros(50);
    }

    @Override
    public long getHostLatencyP99() {
        return mailbox.host().stats().latency.percentileMicros(99);
    }

    @Override
    public boolean isSpm() {
        return mailbox.spm().isPresent();
    }

    @Override
    public long getSpmRequests() {
        return spm(s -> s.requests.sum());
    }

    @Override
    public long getSpmReplies() {
        return spm(s -> s.replies.sum());
    }

    @Override
    public long getSpmFailures() {
        return spm(s -> s.failures.sum());
    }

    @Override
    public long getSpmRejectedBlocks() {
        return spm(s -> s.rejectedBlocks.sum());
    }

    @Override
    public long getSpmRejectedMessages() {
        return spm(s -> s.rejectedMessages.sum());
    }

    @Override
    public double getSpmBytesReadPerSecond() {
        return mailbox.spm().map(s -> s.bytesReadPerSecond()).orElse(0.0);
    }

    @Override
    public long getSpmLatencyP50() {
        return spm(s -> s.latency.percentileMicros(50));
    }

    @Override
    public long getSpmLatencyP99() {
        return spm(s -> s.latency.percentileMicros(99));
    }
}
