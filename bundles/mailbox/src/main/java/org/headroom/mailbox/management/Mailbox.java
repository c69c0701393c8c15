package org.headroom.mailbox.management;

import org.headroom.mailbox.MailboxService;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The MBean, registered as a service that Karaf's management exports under its jmx.objectname. */
@Component(service = MailboxMBean.class, property = "jmx.objectname=org.headroom:type=Mailbox")
public class Mailbox implements MailboxMBean {

    @Reference
    MailboxService mailbox;


    @Override
    public String getPolicy() {
        return mailbox.status().policy();
    }

    @Override
    public long getHostRequests() {
        return mailbox.status().host().requests();
    }

    @Override
    public long getHostReplies() {
        return mailbox.status().host().replies();
    }

    @Override
    public long getHostFailures() {
        return mailbox.status().host().failures();
    }

    @Override
    public long getHostTimeouts() {
        return mailbox.status().host().timeouts();
    }

    @Override
    public long getHostLatencyP50() {
        return mailbox.status().host().latencyP50Micros();
    }

    @Override
    public long getHostLatencyP99() {
        return mailbox.status().host().latencyP99Micros();
    }

    @Override
    public boolean isSpm() {
        return mailbox.status().spm();
    }

    @Override
    public long getSpmRequests() {
        return mailbox.status().spmSide().requests();
    }

    @Override
    public long getSpmReplies() {
        return mailbox.status().spmSide().replies();
    }

    @Override
    public long getSpmFailures() {
        return mailbox.status().spmSide().failures();
    }

    @Override
    public long getSpmRejectedBlocks() {
        return mailbox.status().spmSide().rejectedBlocks();
    }

    @Override
    public long getSpmRejectedMessages() {
        return mailbox.status().spmSide().rejectedMessages();
    }

    @Override
    public double getSpmBytesReadPerSecond() {
        return mailbox.status().spmBytesReadPerSecond();
    }

    @Override
    public long getSpmLatencyP50() {
        return mailbox.status().spmSide().latencyP50Micros();
    }

    @Override
    public long getSpmLatencyP99() {
        return mailbox.status().spmSide().latencyP99Micros();
    }
}
