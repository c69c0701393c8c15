package org.headroom.api.lease;

/** A lease this host holds; closing it releases it. */
public interface HeldLease extends AutoCloseable {

    LeaseRef ref();

    /** The version held: the lease's version at this acquire. */
    long version();

    /**
     * This host's sanlock generation in the lease's lockspace when it acquired it: the owner
     * generation the lease carries on storage, by which other hosts tell this life of the host.
     */
    long hostGeneration();

    /** Whether sanlock still says this host holds it (an inquire: its lockspace may have failed meanwhile). */
    boolean held();

    /** Releases the lease. Releasing twice does nothing. */
    @Override
    void close();
}
