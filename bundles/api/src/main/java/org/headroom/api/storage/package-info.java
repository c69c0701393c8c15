/**
 * Storage domains and their volumes: the contracts between the bundles that read and grow volumes
 * (the mailbox's SPM side, the volume monitor) and the backends that do it (loop, file, LVM).
 */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.api.storage;
