/**
 * Live migration as the admin and JMX see it: the migrations this host runs or receives, the
 * volumes it attached for them, and the agents' endpoint. Everything returned is an immutable
 * snapshot.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.migrate;
