package org.headroom.storage.metadata;

import org.headroom.api.storage.StorageException;

/** A metadata block that is not VDSM's volume metadata: torn, truncated, corrupt, or of another version. */
public class MalformedMetadataException extends StorageException {
    private static final long serialVersionUID = 1L;

    public MalformedMetadataException(String message) {
        super(message);
    }
}
