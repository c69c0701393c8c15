/**
 * A Java binding of sanlock's daemon API (libsanlock_client.so.1, LGPL) through jnr-ffi: the
 * {@link org.headroom.lease.sanlock.Sanlock} daemon of this host, its
 * {@link org.headroom.lease.sanlock.Registration}s holding leases, typed records of sanlock's
 * structs, and {@link org.headroom.lease.sanlock.SanlockException} per class of failure. Every
 * call has a bound; the forms that block for long (a join, an acquire waiting out a dead owner)
 * come as non-blocking ones.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.lease.sanlock;
