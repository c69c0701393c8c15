package org.headroom.api.lease;

/** A lease this host holds; closing it releases it. */
public interface HeldLease extends AutoCloseable {

    LeaseRef ref();

    /** The version held: the lease's version at this acquire. */
    long version();

    /** Whether sanlock still says this host holds it (an inquire: its lockspace may have failed meanwhile). */
    boolean held();

    /** Releases the lease. Releasing twice does nothing. */
    @Override
    void close();
}
