/**
 * What the volume monitor asks of live migration (while a VM migrates, a volume it extended must
 * be seen at its new size on the destination before the source uses it: VDSM's rule), and what
 * libvirt's hook tells it of the migrations libvirt runs.
 */
@org.osgi.annotation.versioning.Version("0.2.0")
@org.osgi.annotation.bundle.Export
package org.headroom.api.migration;
