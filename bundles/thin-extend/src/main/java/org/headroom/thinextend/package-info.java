/**
 * The volume monitor's service: what it watches, what it did, and the admin's way to extend now.
 * Everything it returns is an immutable snapshot.
 */
@org.osgi.annotation.versioning.Version("0.2.0")
@org.osgi.annotation.bundle.Export
package org.headroom.thinextend;
