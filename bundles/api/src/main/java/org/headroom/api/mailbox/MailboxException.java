package org.headroom.api.mailbox;

/** A request could not be sent (all slots busy, bad argument, mailbox closed) or got no answer in time. */
public class MailboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MailboxException(String message) {
        super(message);
    }

    public MailboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
