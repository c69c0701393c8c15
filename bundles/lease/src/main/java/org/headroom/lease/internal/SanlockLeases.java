package org.headroom.lease.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.headroom.api.lease.HeldLease;
import org.headroom.api.lease.HostStatus;
import org.headroom.api.lease.LeaseException;
import org.headroom.api.lease.LeaseHeldException;
import org.headroom.api.lease.LeaseOwner;
import org.headroom.api.lease.LeaseRef;
import org.headroom.api.lease.LeaseService;
import org.headroom.api.lease.LockspaceStatus;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.lease.sanlock.Disk;
import org.headroom.lease.sanlock.Geometry;
import org.headroom.lease.sanlock.Host;
import org.headroom.lease.sanlock.Lockspace;
import org.headroom.lease.sanlock.LockspaceState;
import org.headroom.lease.sanlock.Owner;
import org.headroom.lease.sanlock.Registration;
import org.headroom.lease.sanlock.Resource;
import org.headroom.lease.sanlock.ResourceOwners;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.lease.sanlock.SanlockException;
import org.headroom.runtime.Backoff;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Listeners;
import org.headroom.runtime.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease service over this host's sanlock daemon, in VDSM's layout: a domain's lockspace is
 * named by the domain's UUID, on {@code dom_md/ids}; the SDM lease is {@code SDM} at
 * {@code dom_md/leases} offset 1 MiB; a volume's lease is named by the volume, in
 * {@code <volume>.lease} at offset 0. Areas not yet formatted are formatted on first use, under a
 * file lock so that two hosts never format one twice.
 *
 * <p>One registration for the whole agent (as VDSM's one process fd), with a killpath: when sanlock
 * must see this host's leases given up (its lockspace failing, another host asking), it runs a
 * small script that leaves a flag, instead of killing the JVM. The service sees the flag (it looks
 * every {@link #WATCH_INTERVAL}), tells the lease-lost listeners first (the SPM stops serving), then
 * releases every lease, and joins again once it can. A lockspace that stops being JOINED is a
 * loss too.
 *
 * <p>A daemon that is not there (not started yet, restarted, dead) is no reason to stop: the
 * service keeps trying to register, and every lockspace not joined is joined again, each on a
 * backoff from {@link #RETRY_MIN} to {@link #RETRY_MAX}; until then every acquire fails with the
 * reason, which {@code headroom:leases} shows.
 */
public final class SanlockLeases implements LeaseService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SanlockLeases.class);
    /** 512-byte sectors, 1 MiB areas: what VDSM uses on file domains; 2000 hosts. */
    static final Geometry GEOMETRY = Geometry.SECTOR_512_ALIGN_1M;
    static final long SDM_OFFSET = GEOMETRY.alignmentBytes();
    static final Duration WATCH_INTERVAL = Duration.ofMillis(200);
    static final String FLAG = "leases-wanted";
    /** A lockspace in which this host holds nothing is checked every this many watches (2 s). */
    private static final int IDLE_CHECK_ROUNDS = 10;
    static final Duration RETRY_MIN = Duration.ofMillis(500);
    static final Duration RETRY_MAX = Duration.ofSeconds(30);
    /** A registration or a join that lasted this long starts its next retries from the minimum again. */
    private static final Duration RETRY_STABLE = Duration.ofMinutes(1);

    private final Sanlock sanlock;
    private final int hostId;
    private final StorageDomains storage;
    private final int ioTimeout;
    private final Scheduler scheduler;
    private final Path runDir;
    private final Listeners<LeaseLostListener> lostListeners = new Listeners<>("lost leases");
    private final Map<LeaseRef, Lease> held = new ConcurrentHashMap<>();
    private final Map<UUID, String> problems = new ConcurrentHashMap<>();
    private final Set<UUID> formatted = ConcurrentHashMap.newKeySet();
    private final Set<LeaseRef> formattedLeases = ConcurrentHashMap.newKeySet();
    /** This host's sanlock generation per lockspace, while joined. */
    private final Map<UUID, Long> generations = new ConcurrentHashMap<>();
    /** Null while no daemon took the registration; {@link #registrationProblem} says why. */
    private volatile Registration registration;
    private volatile String registrationProblem = "not started";
    private final Retry registering = new Retry();
    private final Map<UUID, Retry> joining = new ConcurrentHashMap<>();
    private Cancellable watch;
    /** Watches run; on the watch's thread only. */
    private long watchRounds;
    private volatile boolean closed;

    public SanlockLeases(Sanlock sanlock, int hostId, StorageDomains storage, int ioTimeoutSeconds, Scheduler scheduler,
                         Path runDir) {
        if (hostId < 1 || hostId > GEOMETRY.maxHosts()) {
            throw new IllegalArgumentException("host id must be 1.." + GEOMETRY.maxHosts() + ": " + hostId);
        }
        this.sanlock = sanlock;
        this.hostId = hostId;
        this.storage = storage;
        this.ioTimeout = ioTimeoutSeconds;
        this.scheduler = scheduler;
        this.runDir = runDir;
    }

    /**
     * Registers with the daemon, sets the killpath, starts joining every connected domain's
     * lockspace. A daemon that does not answer yet is tried again on the watch's backoff.
     */
    public synchronized void start() throws IOException {
        Files.createDirectories(runDir);
        Path script = runDir.resolve("killpath");
        // sanlock runs this (with our pid appended) instead of SIGTERM: it only leaves the flag we watch.
        Files.writeString(script, "#!/bin/sh\n# headroom: sanlock wants this host's leases back; the agent gives them up.\n"
                + "touch \"$1/" + FLAG + "\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(runDir.resolve(FLAG));
        if (register(scheduler.nanoTime())) {
            for (StorageDomain d : storage.domains()) {
                join(d, scheduler.nanoTime());
            }
        }
        watch = scheduler.schedule(this::watch, WATCH_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
        LOG.info("lease service started: host {}, io timeout {} s, lockspaces of {} domain(s)", hostId, ioTimeout,
                storage.domains().size());
    }

    /** Registers with the daemon and sets the killpath; on failure, says why and when it tries again. */
    private boolean register(long now) {
        Registration r = null;
        try {
            r = sanlock.register("headroom-host-" + hostId);
            r.killpath(runDir.resolve("killpath").toString(), runDir.toString(), true);
        } catch (SanlockException e) {
            if (r != null) {
                r.close();
            }
            long delay = registering.failed(now);
            if (!e.getMessage().equals(registrationProblem)) {
                LOG.warn("leases: cannot register with the sanlock daemon ({}); trying again, from {} ms to every {} s",
                        e.getMessage(), TimeUnit.NANOSECONDS.toMillis(delay), RETRY_MAX.toSeconds());
            }
            registrationProblem = e.getMessage();
            return false;
        }
        registering.succeeded(now);
        registrationProblem = "";
        registration = r;
        LOG.info("leases: registered with the sanlock daemon");
        return true;
    }

    /** Gives every lease up and leaves every lockspace: this host is gone from them. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Gives every lease up and, if {@code leaveLockspaces}, leaves the lockspaces too. Left joined
     * (the daemon renews them without the agent), the next start of the service finds them joined
     * at once instead of waiting out a join (2 to 5 I/O timeouts): what a restart or an update of
     * the agent wants. Its leases are released either way, so other hosts may take them at once.
     */
    public synchronized void close(boolean leaveLockspaces) {
        closed = true;
        if (watch != null) {
            watch.cancel();
        }
        for (Lease l : List.copyOf(held.values())) {
            l.close();
        }
        Registration r = registration;
        registration = null;
        if (r != null) {
            r.close();
        }
        if (leaveLockspaces) {
            for (StorageDomain d : storage.domains()) {
                try {
                    sanlock.leaveLockspace(lockspace(d.uuid(), d), Duration.ofSeconds(4L * ioTimeout + 5));
                } catch (SanlockException e) {
                    LOG.warn("leaving the lockspace of {}: {}", d.uuid(), e.getMessage());
                }
            }
        }
        LOG.info("lease service stopped{}", leaveLockspaces ? "; lockspaces left" : "; lockspaces stay joined");
    }

    /** Why no daemon holds this service's registration, or empty while one does. */
    public String registrationProblem() {
        return registrationProblem;
    }

    @Override
    public int hostId() {
        return hostId;
    }

    @Override
    public List<UUID> domains() {
        return storage.domains().stream().map(StorageDomain::uuid).toList();
    }

    @Override
    public List<LeaseRef> held() {
        return List.copyOf(held.keySet());
    }

    // ---- lockspaces ---------------------------------------------------------------------------

    private Lockspace lockspace(UUID domain, StorageDomain d) {
        return new Lockspace(domain.toString(), hostId, new Disk(d.path().resolve("dom_md/ids").toString(), 0));
    }

    private StorageDomain domain(UUID uuid) {
        return storage.domain(uuid).orElseThrow(() -> new LeaseException("domain " + uuid + " is not connected"));
    }

    /**
     * Formats the lockspace if nobody has, and starts joining it (the join goes on in the daemon).
     * A failed join is tried again by the watch, on the domain's backoff.
     */
    private void join(StorageDomain d, long now) {
        Retry retry = joining.computeIfAbsent(d.uuid(), u -> new Retry());
        try {
            formatLockspace(d);
            generations.remove(d.uuid());
            sanlock.addLockspace(lockspace(d.uuid(), d), ioTimeout);
            problems.remove(d.uuid());
            retry.succeeded(now);
        } catch (SanlockException.Exists | SanlockException.InProgress already) {
            problems.remove(d.uuid()); // joined (this agent's earlier life left it so), or being joined
            retry.succeeded(now);
        } catch (SanlockException | LeaseException e) {
            long delay = retry.failed(now);
            if (!e.getMessage().equals(problems.put(d.uuid(), e.getMessage()))) {
                LOG.warn("cannot join the lockspace of {}: {}; trying again in {} ms", d.uuid(), e.getMessage(),
                        TimeUnit.NANOSECONDS.toMillis(delay));
            }
        }
    }

    private void formatLockspace(StorageDomain d) {
        if (formatted.contains(d.uuid())) {
            return;
        }
        Path ids = d.path().resolve("dom_md/ids");
        Disk disk = new Disk(ids.toString(), 0);
        underFileLock(ids, () -> {
            if (!readable(() -> sanlock.readLockspace(disk))) {
                sanlock.writeLockspace(lockspace(d.uuid(), d), GEOMETRY, 0, ioTimeout); // its host id is not written
                LOG.info("formatted the lockspace of {} at {}", d.uuid(), ids);
            }
        });
        formatted.add(d.uuid());
    }

    @Override
    public LockspaceStatus lockspace(UUID uuid) {
        StorageDomain d = domain(uuid);
        LockspaceState state;
        try {
            state = sanlock.inqLockspace(lockspace(uuid, d));
        } catch (SanlockException e) {
            return new LockspaceStatus(uuid, hostId, "FAILED", e.getMessage(), List.of());
        }
        if (registration == null) {
            return new LockspaceStatus(uuid, hostId, "FAILED", "not registered with the sanlock daemon: "
                    + registrationProblem, List.of());
        }
        String name = switch (state) {
            case JOINED -> "JOINED";
            case IN_PROGRESS -> "JOINING";
            default -> problems.containsKey(uuid) ? "FAILED" : "NOT_JOINED";
        };
        List<HostStatus> hosts = new ArrayList<>();
        if (state == LockspaceState.JOINED) {
            try {
                for (Host h : sanlock.hosts(uuid.toString())) {
                    hosts.add(new HostStatus((int) h.hostId(), h.state().name(), h.generation(), h.timestamp()));
                }
            } catch (SanlockException.Again tooSoon) {
                // Joined so recently that the daemon has not looked at the other hosts yet.
            }
        }
        return new LockspaceStatus(uuid, hostId, name, problems.getOrDefault(uuid, ""), hosts);
    }

    /** Waits until the lockspace of {@code domain} is joined, at most {@code deadline}. */
    public void awaitJoined(UUID domain, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!lockspace(domain).joined()) {
            if (System.nanoTime() > end) {
                throw new LeaseException("the lockspace of " + domain + " is not joined after " + deadline + ": "
                        + lockspace(domain));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseException("interrupted waiting for the lockspace of " + domain);
            }
        }
    }

    // ---- leases -------------------------------------------------------------------------------

    @Override
    public LeaseRef sdmLease(UUID domain) {
        return new LeaseRef(domain, "SDM", domain(domain).path().resolve("dom_md/leases"), SDM_OFFSET);
    }

    @Override
    public LeaseRef volumeLease(VolumeRef volume) {
        StorageDomain d = domain(volume.domain());
        return new LeaseRef(volume.domain(), volume.volume().toString(),
                d.path().resolve("images").resolve(volume.image().toString()).resolve(volume.volume() + ".lease"), 0);
    }

    private static Resource resource(LeaseRef ref) {
        return Resource.of(ref.domain().toString(), ref.name(), new Disk(ref.path().toString(), ref.offset()));
    }

    @Override
    public HeldLease acquire(LeaseRef ref) {
        if (closed) {
            throw new LeaseException("the lease service is stopped");
        }
        Registration reg = registration;
        if (reg == null) {
            throw new LeaseException("acquiring " + ref + ": not registered with the sanlock daemon: " + registrationProblem);
        }
        formatLease(ref);
        Resource r = resource(ref);
        try {
            reg.acquire(r);
        } catch (SanlockException.Held e) {
            throw new LeaseHeldException(ref + " is held by " + holder(ref), holderId(ref), false, e);
        } catch (SanlockException.OwnerRetry e) {
            throw new LeaseHeldException(ref + " is held by host " + holderId(ref)
                    + ", which stopped renewing and is not dead yet", holderId(ref), true, e);
        } catch (SanlockException.NotJoined e) {
            throw new LeaseException(ref + ": the lockspace of " + ref.domain() + " is not joined on this host", e);
        } catch (SanlockException e) {
            throw new LeaseException("acquiring " + ref + ": " + e.getMessage(), e);
        }
        long version = 0;
        for (Resource mine : reg.inquire()) {
            if (mine.name().equals(ref.name()) && mine.lockspace().equals(r.lockspace())) {
                version = mine.version();
            }
        }
        Lease lease = new Lease(reg, ref, r, version, ownGeneration(ref, r));
        held.put(ref, lease);
        LOG.debug("acquired {} (version {})", ref, version);
        return lease;
    }

    /**
     * This host's generation in the lockspace of {@code r}, which it has just acquired: read from the
     * lease's owner once per joining (it changes only when the host joins again), then remembered.
     */
    private long ownGeneration(LeaseRef ref, Resource r) {
        Long known = generations.get(ref.domain());
        if (known != null) {
            return known;
        }
        try {
            for (Owner o : sanlock.readResourceOwners(r).owners()) {
                if (o.hostId() == hostId) {
                    generations.put(ref.domain(), o.generation());
                    return o.generation();
                }
            }
        } catch (SanlockException e) {
            LOG.warn("reading this host's generation from {}: {}", ref, e.getMessage());
        }
        return 0;
    }

    /** Formats a lease area on first use: the SDM lease in dom_md/leases, a volume's .lease file. */
    private void formatLease(LeaseRef ref) {
        if (formattedLeases.contains(ref)) {
            return; // read once: an acquire of a hot lease costs no extra read
        }
        Disk disk = new Disk(ref.path().toString(), ref.offset());
        if (readable(() -> sanlock.readResource(disk))) {
            formattedLeases.add(ref);
            return;
        }
        try {
            if (!Files.exists(ref.path())) {
                try (RandomAccessFile f = new RandomAccessFile(ref.path().toFile(), "rw")) {
                    f.setLength(ref.offset() + GEOMETRY.alignmentBytes()); // sparse: sanlock writes what it needs
                }
            }
        } catch (IOException e) {
            throw new LeaseException("cannot make the lease file " + ref.path() + ": " + e, e);
        }
        underFileLock(ref.path(), () -> {
            if (!readable(() -> sanlock.readResource(disk))) {
                sanlock.writeResource(resource(ref), GEOMETRY, 0);
                LOG.info("formatted lease {}", ref);
            }
        });
        formattedLeases.add(ref);
    }

    @Override
    public Optional<LeaseOwner> owner(LeaseRef ref) {
        ResourceOwners owners;
        try {
            owners = sanlock.readResourceOwners(resource(ref));
        } catch (SanlockException e) {
            if (!Files.exists(ref.path())) {
                return Optional.empty();
            }
            throw new LeaseException("reading the owner of " + ref + ": " + e.getMessage(), e);
        }
        if (owners.owners().isEmpty()) {
            return Optional.empty();
        }
        Owner o = owners.owners().get(0);
        String state = "UNKNOWN";
        try {
            // A host that joined again since (a later generation) holds nothing of its previous life:
            // sanlock lets anyone take those leases at once, so that owner is as good as dead.
            state = sanlock.host(ref.domain().toString(), o.hostId())
                    .map(h -> h.generation() > o.generation() ? "DEAD" : h.state().name()).orElse("UNKNOWN");
        } catch (SanlockException notJoinedOrTooSoon) {
            // This host cannot say how the owner is: UNKNOWN.
        }
        return Optional.of(new LeaseOwner((int) o.hostId(), o.generation(), owners.version(), state));
    }

    private int holderId(LeaseRef ref) {
        try {
            return owner(ref).map(LeaseOwner::hostId).orElse(0);
        } catch (LeaseException e) {
            return 0;
        }
    }

    private String holder(LeaseRef ref) {
        try {
            return owner(ref).map(o -> "host " + o.hostId() + " (" + o.hostState().toLowerCase() + ")").orElse("another host");
        } catch (LeaseException e) {
            return "another host";
        }
    }

    @Override
    public AutoCloseable onLeaseLost(LeaseLostListener listener) {
        return lostListeners.add(listener);
    }

    // ---- losing leases ------------------------------------------------------------------------

    /**
     * Every {@link #WATCH_INTERVAL}: the registration (broken: the daemon went), the killpath's
     * flag, lockspaces that failed or are not joined (a daemon restarted, a join that failed).
     */
    private void watch() {
        try {
            long now = scheduler.nanoTime();
            Registration r = registration;
            if (r != null && r.broken()) {
                lostDaemon(now, "the registration with the sanlock daemon broke");
            }
            if (registration == null) {
                if (!registering.due(now) || !register(now)) {
                    return; // no daemon: nothing else can be asked of it
                }
                for (StorageDomain d : storage.domains()) {
                    join(d, now); // a new daemon, or a first one: it knows none of our lockspaces
                }
            }
            watchRounds++;
            Path flag = runDir.resolve(FLAG);
            if (Files.deleteIfExists(flag)) {
                giveUp(null, "sanlock asked for this host's leases (a lockspace failing, or another host asking)");
            }
            for (StorageDomain d : storage.domains()) {
                boolean holding = held.keySet().stream().anyMatch(l -> l.domain().equals(d.uuid()));
                if (!holding && watchRounds % IDLE_CHECK_ROUNDS != 0) {
                    continue; // a lockspace without leases of ours is looked at less often
                }
                LockspaceState state;
                try {
                    state = sanlock.inqLockspace(lockspace(d.uuid(), d));
                } catch (SanlockException.Unreachable gone) {
                    lostDaemon(now, "the sanlock daemon stopped answering: " + gone.getMessage());
                    return;
                }
                if (holding && state != LockspaceState.JOINED) {
                    giveUp(d.uuid(), "the lockspace of " + d.uuid() + " is no longer joined");
                } else if (!holding && state != LockspaceState.JOINED && state != LockspaceState.IN_PROGRESS
                        && (!joining.containsKey(d.uuid()) || joining.get(d.uuid()).due(now))) {
                    join(d, now); // a failed join, a lost lockspace, a restarted daemon: join again
                }
            }
        } catch (Throwable t) {
            LOG.error("lease service: watching the leases failed: {}", t.toString(), t);
        } finally {
            if (!closed) {
                try {
                    watch = scheduler.schedule(this::watch, WATCH_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    LOG.error("lease service: its scheduler refused the next watch: {}", e.getMessage());
                }
            }
        }
    }

    /**
     * The daemon went (killed, restarted) or broke the registration: its leases are gone with it.
     * The listeners are told, the registration dropped, and a new one tried on the backoff.
     */
    private void lostDaemon(long now, String why) {
        Registration r = registration;
        registration = null;
        registrationProblem = why;
        registering.failed(now);
        giveUp(null, why);
        if (r != null) {
            r.close();
        }
    }

    /** Tells the listeners first (they stop what the leases allowed), then releases the leases. */
    synchronized void giveUp(UUID domain, String why) {
        List<UUID> domains = domain != null ? List.of(domain)
                : held.keySet().stream().map(LeaseRef::domain).distinct().toList();
        for (UUID d : domains) {
            LOG.warn("giving up the leases of domain {}: {}", d, why);
            lostListeners.publish(d, (l, dd) -> l.leasesLost(dd, why));
            for (Lease l : List.copyOf(held.values())) {
                if (l.ref().domain().equals(d)) {
                    l.close();
                }
            }
            problems.put(d, why);
            generations.remove(d);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Whether an area reads as formatted; an unformatted or missing one is an error of sanlock's. */
    private static boolean readable(Runnable read) {
        try {
            read.run();
            return true;
        } catch (SanlockException e) {
            return false;
        }
    }

    /** Runs {@code body} holding an exclusive lock on {@code file} (other processes wait; hosts on NFS too). */
    private static void underFileLock(Path file, Runnable body) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
             FileLock ignored = ch.lock()) {
            body.run();
        } catch (IOException e) {
            throw new LeaseException("cannot lock " + file + " to format it: " + e, e);
        }
    }

    /**
     * When to try again what failed (a registration, a join): a backoff and the time of the next
     * attempt. Used by {@link #start} and then by the watch's thread only.
     */
    private static final class Retry {
        private final Backoff backoff = new Backoff(RETRY_MIN, RETRY_MAX, RETRY_STABLE);
        private long at;
        private boolean waiting;

        /** The attempt failed at {@code now}; returns the wait before the next one. */
        long failed(long now) {
            backoff.ended(now);
            long delay = backoff.nextDelayNanos();
            at = now + delay;
            waiting = true;
            return delay;
        }

        void succeeded(long now) {
            backoff.connected(now);
            waiting = false;
        }

        /** Whether an attempt may be made at {@code now}: nothing failed, or the wait is over. */
        boolean due(long now) {
            return !waiting || now - at >= 0;
        }
    }

    /** A lease this host holds. */
    private final class Lease implements HeldLease {
        /** The registration that holds it: a later one (the daemon restarted) does not. */
        private final Registration registration;
        private final LeaseRef ref;
        private final Resource resource;
        private final long version;
        private final long hostGeneration;
        private boolean released;

        Lease(Registration registration, LeaseRef ref, Resource resource, long version, long hostGeneration) {
            this.registration = registration;
            this.ref = ref;
            this.resource = resource;
            this.version = version;
            this.hostGeneration = hostGeneration;
        }

        @Override
        public long hostGeneration() {
            return hostGeneration;
        }

        @Override
        public LeaseRef ref() {
            return ref;
        }

        @Override
        public long version() {
            return version;
        }

        @Override
        public boolean held() {
            if (released) {
                return false;
            }
            try {
                return registration.inquire().stream().anyMatch(r -> r.name().equals(resource.name())
                        && r.lockspace().equals(resource.lockspace()));
            } catch (SanlockException e) {
                return false;
            }
        }

        @Override
        public synchronized void close() {
            if (released) {
                return;
            }
            released = true;
            held.remove(ref, this);
            try {
                registration.release(resource);
            } catch (SanlockException e) {
                LOG.warn("releasing {}: {}", ref, e.getMessage());
            }
        }
    }
}
