package org.headroom.mailbox.management;

/** JMX view of the mailbox: {@code org.headroom:type=Mailbox}. Latencies in microseconds. */
public interface MailboxMBean {
    String getPolicy();

    long getHostRequests();

    long getHostReplies();

    long getHostFailures();

    long getHostTimeouts();

    long getHostLatencyP50();

    long getHostLatencyP99();

    boolean isSpm();

    long getSpmRequests();

    long getSpmReplies();

    long getSpmFailures();

    long getSpmRejectedBlocks();

    long getSpmRejectedMessages();

    double getSpmBytesReadPerSecond();

    long getSpmLatencyP50();

    long getSpmLatencyP99();
}
