/** The SPM role: whether this host is the one that may create, remove and resize volumes. */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.api.spm;
