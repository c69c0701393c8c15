package org.headroom.mailbox;

/** This host's mailbox: the host side always, the SPM side while this host serves it. */
public interface MailboxService {

    /** A snapshot of both sides' figures. */
    MailboxStatus status();
}
