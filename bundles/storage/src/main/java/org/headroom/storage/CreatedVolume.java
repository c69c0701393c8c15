package org.headroom.storage;

import java.nio.file.Path;
import org.headroom.api.storage.VolumeRef;

/**
 * A volume {@link VolumeService#create} made.
 *
 * @param runPath where a VM opens it on any host once prepared (the hook prepares it at VM start)
 * @param size    the volume's size on storage now, bytes; for qcow2 smaller than {@code capacity}
 */
public record CreatedVolume(VolumeRef volume, Path runPath, String format, long capacity, long size) {
}
