/**
 * The SPM storage mailbox, VDSM-compatible on disk: what the shell, JMX and tools see of it. The
 * host side, the SPM side and the codec are in {@code internal} and {@code codec}.
 */
@org.osgi.annotation.versioning.Version("0.2.0")
@org.osgi.annotation.bundle.Export
package org.headroom.mailbox;
