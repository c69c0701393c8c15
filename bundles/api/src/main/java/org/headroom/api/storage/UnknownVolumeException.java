package org.headroom.api.storage;

/** No such volume in the domain. */
public class UnknownVolumeException extends StorageException {
    private static final long serialVersionUID = 1L;

    public UnknownVolumeException(VolumeRef volume) {
        super("no volume " + volume);
    }
}
