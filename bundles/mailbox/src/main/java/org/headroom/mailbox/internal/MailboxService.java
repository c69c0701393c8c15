package org.headroom.mailbox.internal;

import java.util.Optional;

/** What the shell command and the MBean read: this host's mailbox and, on the SPM, the SPM side. */
public interface MailboxService {

    HostMailbox host();

    Optional<SpmMailbox> spm();

    MailboxPolicy policy();

    /** Requests this SPM host served in-process, without the mailbox. */
    MailboxStats local();
}
