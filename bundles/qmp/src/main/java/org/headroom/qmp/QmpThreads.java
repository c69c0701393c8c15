package org.headroom.qmp;

import java.util.concurrent.Executor;
import org.headroom.runtime.Scheduler;

/**
 * The threads every QMP client of the agent shares, whatever the number of VMs: one timer and one
 * pool that delivers events (each connection still has its own reader and writer, the only
 * threads that block on a socket). Inside Karaf, the qmp bundle registers one; outside, give the
 * same instance to every {@link QmpClient.Builder}, or let each client make its own.
 */
public interface QmpThreads {

    /** Call timeouts, connect and write watchdogs, reconnection waits: short tasks only. */
    Scheduler timer();

    /** Delivers events to subscribers and completes calls that timed out. */
    Executor dispatcher();
}
