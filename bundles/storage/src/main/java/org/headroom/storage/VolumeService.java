package org.headroom.storage;

import java.util.UUID;

/** Volumes made by the agent, as the SPM makes them: what a VM's domain XML then names by run path. */
public interface VolumeService {

    /**
     * Creates a volume in a connected domain and formats it: a thin qcow2 of {@code capacity} bytes
     * on a volume of {@code initialSize} (grown by the volume monitor as the guest writes), or a raw
     * volume of {@code capacity}. Only the SPM may: another host is refused, saying who the SPM is.
     *
     * @param format      "qcow2" (thin) or "raw" (preallocated: {@code initialSize} is ignored)
     * @param initialSize the volume's first size for qcow2; 0: one chunk (2560 MiB) or the capacity if smaller
     */
    CreatedVolume create(UUID domain, long capacity, String format, long initialSize);
}
