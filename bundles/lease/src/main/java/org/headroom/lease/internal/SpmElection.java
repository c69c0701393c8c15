package org.headroom.lease.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.headroom.api.lease.HeldLease;
import org.headroom.api.lease.LeaseException;
import org.headroom.api.lease.LeaseOwner;
import org.headroom.api.lease.LeaseService;
import org.headroom.api.spm.SpmElectionService;
import org.headroom.api.spm.SpmStatus;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host contending for the SPM role: holding the SDM lease of the master domain is being the
 * SPM. Every interval, a candidate that does not hold it tries to acquire it (never waiting: held
 * elsewhere, or by a host not yet dead, it tries again later); one that holds it asks sanlock
 * whether it still does.
 *
 * <p>Losing the role, whatever the cause (the lockspace failing, the lease missing on inquire, a
 * hand-over, this service stopping), always runs in the same order: the role's holder is told
 * first and stops serving ({@link Role#deposed}), then the lease is released. So no other host can
 * take the lease while this one still serves.
 */
public final class SpmElection implements SpmElectionService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpmElection.class);
    /** After a hand-over, intervals this host leaves to the other candidates. */
    static final int HANDOVER_PAUSE_INTERVALS = 5;

    /** What holding the role starts and stops (the mailbox's SPM side). */
    public interface Role {
        void elected(long sinceMillis);

        void deposed(String why);
    }

    private final LeaseService leases;
    private final UUID domain;
    private final Scheduler scheduler;
    private final long intervalNanos;
    private final LongSupplier wallClock;
    private final Role role;
    private HeldLease lease;
    private long sinceMillis;
    private long attempts;
    private String problem = "";
    private long pausedUntilNanos;
    private Cancellable next;
    private AutoCloseable lostListener;
    private boolean closed;

    public SpmElection(LeaseService leases, UUID domain, Scheduler scheduler, Duration interval, LongSupplier wallClock,
                       Role role) {
        this.leases = leases;
        this.domain = domain;
        this.scheduler = scheduler;
        this.intervalNanos = interval.toNanos();
        this.wallClock = wallClock;
        this.role = role;
    }

    public synchronized void start() {
        lostListener = leases.onLeaseLost((d, why) -> {
            if (d.equals(domain)) {
                lost(why);
            }
        });
        pausedUntilNanos = scheduler.nanoTime();
        schedule(0);
    }

    private void schedule(long delayNanos) {
        try {
            next = scheduler.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            problem = "the election's scheduler refused its next round: " + e.getMessage();
            LOG.error("SPM election: {}", problem);
        }
    }

    private void tick() {
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (lease != null) {
                    if (!lease.held()) {
                        depose("sanlock no longer lists the SDM lease as held by this host");
                    }
                } else if (scheduler.nanoTime() - pausedUntilNanos >= 0) {
                    contend();
                }
            }
        } catch (Throwable t) {
            synchronized (this) {
                problem = "the election failed: " + t;
            }
            LOG.error("SPM election: a round failed", t);
        } finally {
            synchronized (this) {
                if (!closed) {
                    schedule(intervalNanos);
                }
            }
        }
    }

    private void contend() {
        attempts++;
        HeldLease acquired;
        try {
            acquired = leases.acquire(leases.sdmLease(domain));
        } catch (LeaseException e) {
            // Held by the SPM (the usual case for a candidate), or not joined yet: try again later.
            if (!e.getMessage().equals(problem)) {
                LOG.info("SPM election: not the SPM of {}: {}", domain, e.getMessage());
            }
            problem = e.getMessage();
            return;
        }
        lease = acquired;
        sinceMillis = wallClock.getAsLong();
        LOG.info("SPM election: this host is the SPM of {} (SDM lease version {}, after {} attempt(s))", domain,
                acquired.version(), attempts);
        attempts = 0;
        problem = "";
        try {
            role.elected(sinceMillis);
        } catch (RuntimeException e) {
            depose("starting the SPM role failed: " + e);
        }
    }

    /** Stops the role first, then releases the lease. */
    private void depose(String why) {
        HeldLease held = lease;
        lease = null;
        sinceMillis = 0;
        problem = why;
        LOG.warn("SPM election: no longer the SPM of {}: {}", domain, why);
        try {
            role.deposed(why);
        } catch (RuntimeException e) {
            LOG.error("SPM election: stopping the SPM role failed (the lease is released anyway)", e);
        } finally {
            held.close();
        }
    }

    /** The lease service is giving this domain's leases up (its lockspace failed): before it releases them. */
    private synchronized void lost(String why) {
        if (lease != null) {
            depose(why);
        }
    }

    /** Gives the role up on the election's thread (the role's holder cannot serve it). */
    public void resign(String why) {
        try {
            scheduler.execute(() -> {
                synchronized (this) {
                    if (lease != null) {
                        depose(why);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.error("SPM election: cannot resign ({}): {}", why, e.getMessage());
        }
    }

    @Override
    public synchronized boolean handOver() {
        if (lease == null) {
            return false;
        }
        depose("handed over");
        pausedUntilNanos = scheduler.nanoTime() + HANDOVER_PAUSE_INTERVALS * intervalNanos;
        return true;
    }

    @Override
    public SpmStatus status() {
        boolean held;
        long since;
        long tries;
        String why;
        synchronized (this) {
            held = lease != null;
            since = sinceMillis;
            tries = attempts;
            why = problem;
        }
        Optional<LeaseOwner> owner;
        try {
            owner = leases.owner(leases.sdmLease(domain));
        } catch (LeaseException e) {
            owner = Optional.empty();
            why = why.isEmpty() ? e.getMessage() : why;
        }
        return new SpmStatus(domain, true, held, owner.map(LeaseOwner::hostId).orElse(0),
                owner.map(LeaseOwner::hostState).orElse(""), since, tries, why);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel();
        }
        if (lostListener != null) {
            try {
                lostListener.close();
            } catch (Exception e) {
                LOG.warn("SPM election: {}", e.toString());
            }
        }
        if (lease != null) {
            depose("the SPM election stopped");
        }
    }
}
