package org.headroom.storage.internal;

import java.util.List;
import org.headroom.api.storage.VolumeBackend;
import org.headroom.api.storage.VolumeRef;

/** A backend that can say which volumes its domain holds, which the contract cannot (yet). */
public interface ListableVolumeBackend extends VolumeBackend {

    /** The domain's volumes, sorted by image then volume. */
    List<VolumeRef> list();
}
