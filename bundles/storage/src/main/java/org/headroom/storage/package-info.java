/**
 * Storage domains in a directory ({@link org.headroom.storage.FileStorageDomain}), usable with or
 * without OSGi, and direct I/O on shared storage ({@link org.headroom.storage.DirectFile}) for the
 * mailbox and metadata that hosts share.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package org.headroom.storage;
