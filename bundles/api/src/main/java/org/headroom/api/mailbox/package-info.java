/** Asking the SPM to extend a volume: the host side of the storage mailbox, or the SPM in-process. */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.api.mailbox;
