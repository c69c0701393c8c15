package org.headroom.api.mailbox;

import org.headroom.api.storage.VolumeRef;

/** The SPM answered that it could not extend the volume (a reply of size 0 on the wire). */
public class ExtendFailedException extends MailboxException {
    private static final long serialVersionUID = 1L;
    private final transient VolumeRef volume;

    public ExtendFailedException(VolumeRef volume, String reason) {
        super("the SPM failed to extend " + volume + ": " + reason);
        this.volume = volume;
    }

    public VolumeRef volume() {
        return volume;
    }
}
