package org.headroom.virt.internal;

import com.sun.jna.Pointer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.runtime.NamedThreads;
import org.headroom.runtime.Scheduler;
import org.headroom.virt.LibvirtStatus.State;
import org.libvirt.Domain;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.IOErrorAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to libvirtd and libvirt's event loop.
 *
 * <p>libvirt's event loop is process-wide, registered once; it runs on a thread of its own
 * ("libvirt-event-loop") for the life of the adapter, and keepalives and every callback depend on
 * it. Callbacks only hand over what libvirt reports, through the {@link EventQueue} to the
 * connection thread; nothing is handled, and libvirt never called, on the event loop.
 *
 * <p>On the connection thread: connect, keepalive set-up, the close listener, reconnect every
 * {@code reconnect_interval} while libvirtd is away, and the periodic relist.
 *
 * <p>Broken: if libvirt's event loop ends (anything thrown, an {@link Error} included), a callback
 * or a task of the adapter throws something unexpected, or a reconnect cannot be scheduled, the
 * adapter is {@link State#BROKEN}: the connection is closed, its VMs unreachable, calls fail with
 * the reason, and nothing is retried until the component is restarted. The state, the JMX
 * attributes and {@code headroom:hooks} say so; it never reads "connected" with a dead event loop.
 */
final class LibvirtConnection {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtConnection.class);
    private static final AtomicBoolean EVENT_LOOP_REGISTERED = new AtomicBoolean();
    private static final org.libvirt.jna.Libvirt.VirErrorCallback ERRORS_TO_LOG =
            (userData, error) -> LOG.debug("libvirt: {}", error.message);
    /** A failing poll in libvirt's event loop is retried after this long, not in a spin. */
    private static final long EVENT_LOOP_RETRY_MS = 100;

    /** What the connection reports, on the connection thread, in order. */
    interface Callbacks {
        /** Connected; {@code again} after a connection that was lost. */
        void connected(boolean again);

        /** The connection is gone (closed, or the adapter broke): {@code why} for its VMs. */
        void disconnected(String why);

        /** Time to re-read the list of VMs (every relist interval, while connected). */
        void relist();

        void lifecycle(String vm, DomainEvent event);

        void ioError(String vm, String path, IOErrorAction action);

        void thresholdCrossed(String vm, String dev, long threshold, long excess);
    }

    private final LibvirtHypervisor.Settings settings;
    private final Scheduler thread;
    private final EventQueue events;
    private final Callbacks callbacks;
    private final AtomicLong reconnects = new AtomicLong();
    // Held strongly: libvirt calls it from C for as long as it is registered.
    private final LibvirtNative.BlockThresholdCallback thresholdCallback = this::onThresholdNative;

    private volatile HeadroomConnect connection;
    private volatile int thresholdCallbackId = -1;
    private volatile State state = State.CONNECTING;
    private volatile String problem = "";
    private volatile boolean connectedBefore;
    private volatile boolean closed;
    private Thread eventLoop;

    /** {@code thread}: the connection thread, one at a time, that {@code events} also hands over to. */
    LibvirtConnection(LibvirtHypervisor.Settings settings, Scheduler thread, EventQueue events, Callbacks callbacks) {
        this.settings = settings;
        this.thread = thread;
        this.events = events;
        this.callbacks = callbacks;
    }

    /** Starts the event loop and connects in the background: libvirtd may not be up yet. */
    void start() {
        try {
            if (EVENT_LOOP_REGISTERED.compareAndSet(false, true)) {
                Library.initEventLoop(); // process-wide, once, before the first connection
                // libvirt prints every error on stderr by default; each one reaches the caller anyway.
                org.libvirt.Connect.setErrorCallback(ERRORS_TO_LOG);
            }
        } catch (LibvirtException e) {
            EVENT_LOOP_REGISTERED.set(false);
            throw new HypervisorException("cannot register libvirt's event loop: " + e.getMessage(), e);
        }
        eventLoop = NamedThreads.daemon("libvirt-event-loop", this::runEventLoop);
        eventLoop.start();
        onThread(this::connect, 0);
        onThread(this::tick, settings.relistInterval().toMillis());
    }

    /** The connection now, or null while there is none. */
    HeadroomConnect current() {
        return connection;
    }

    State state() {
        return state;
    }

    /** Why it is not connected, or "". */
    String problem() {
        return problem;
    }

    boolean connected() {
        return state == State.CONNECTED;
    }

    /** How often the connection was re-established after libvirtd went away. */
    long reconnects() {
        return reconnects.get();
    }

    /** Why a call cannot be made now, for its error message. */
    String unavailable() {
        return switch (state) {
            case BROKEN -> "the libvirt adapter is broken (" + problem + "): restart it";
            case CLOSED -> "the libvirt adapter is closed";
            default -> "the libvirt connection is down";
        };
    }

    /** Something of the adapter failed that it cannot recover from: see the class comment. */
    void broken(String why, Throwable cause) {
        synchronized (this) {
            if (closed || state == State.BROKEN) {
                return; // the first cause is the one to see
            }
            state = State.BROKEN;
            problem = why;
        }
        LOG.error("the libvirt adapter is broken and serves no VM until it is restarted: {}", why, cause);
        try {
            thread.execute(() -> {
                disconnect();
                callbacks.disconnected("libvirt adapter broken");
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("the broken libvirt connection is closed only when the adapter is: {}", e.getMessage());
        }
    }

    /** Closes the connection (on its thread, for at most 10 s) and stops the event loop. */
    void close() {
        synchronized (this) {
            closed = true;
            state = State.CLOSED;
        }
        try {
            CompletableFuture.runAsync(this::disconnect, thread).get(10, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            disconnect();
        } catch (Exception e) {
            LOG.warn("closing the libvirt connection: {}", e.toString());
        }
        stopEventLoop();
    }

    // ---- the event loop ------------------------------------------------------------------------

    private void runEventLoop() {
        try {
            while (!closed) {
                try {
                    Library.runEventLoop();
                } catch (LibvirtException e) {
                    LOG.warn("libvirt event loop: {}", e.toString());
                    Thread.sleep(EVENT_LOOP_RETRY_MS);
                }
            }
        } catch (InterruptedException e) {
            if (!closed) {
                broken("libvirt's event loop was interrupted", e);
            }
        } catch (Throwable t) {
            broken("libvirt's event loop died: " + t, t);
        }
    }

    /**
     * libvirt's loop wakes for a stop only while it runs: asked again until its thread ends, in
     * case the thread had not entered it yet.
     */
    private void stopEventLoop() {
        if (eventLoop == null) {
            return;
        }
        try {
            for (int i = 0; i < 50 && eventLoop.isAlive(); i++) {
                Library.stopEventLoop();
                eventLoop.join(100);
            }
        } catch (LibvirtException e) {
            LOG.warn("stopping libvirt's event loop: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (eventLoop.isAlive()) {
            LOG.warn("libvirt's event loop still runs 5 s after it was asked to stop");
        }
    }

    /** A callback from libvirt, on its event loop: whatever it throws breaks the adapter. */
    private void guarded(String what, Runnable body) {
        if (closed) {
            return;
        }
        try {
            body.run();
        } catch (Throwable t) {
            broken(what + " failed: " + t, t);
        }
    }

    private void onThresholdNative(Pointer conn, Pointer domain, String dev, String path, long threshold, long excess,
                                   Pointer opaque) {
        guarded("the BLOCK_THRESHOLD callback", () -> {
            String name = LibvirtNative.INSTANCE.virDomainGetName(domain); // local, no round trip
            events.submit(name, () -> callbacks.thresholdCrossed(name, dev, threshold, excess));
        });
    }

    // ---- on the connection thread ----------------------------------------------------------------

    /** Runs {@code task} on the connection thread after {@code delayMs}; the adapter is broken if it cannot. */
    private void onThread(Runnable task, long delayMs) {
        try {
            thread.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                broken("cannot schedule on the connection thread: " + e.getMessage(), e);
            }
        }
    }

    private void tick() {
        if (closed || state == State.BROKEN) {
            return;
        }
        if (connected()) {
            callbacks.relist();
        }
        events.reportLost();
        onThread(this::tick, settings.relistInterval().toMillis());
    }

    private void connect() {
        if (closed || state == State.BROKEN || connection != null) {
            return;
        }
        HeadroomConnect conn = null;
        try {
            conn = new HeadroomConnect(settings.uri());
            conn.setKeepAlive(settings.keepaliveIntervalSeconds(), settings.keepaliveCount());
            conn.registerCloseListener((c, reason) -> guarded("the close callback",
                    () -> onThread(() -> onClosed(c, reason.toString()), 0)));
            conn.addLifecycleListener((domain, event) -> {
                guarded("the lifecycle callback", () -> {
                    String name = nameOf(domain);
                    events.submit(name, () -> callbacks.lifecycle(name, event));
                });
                return 0;
            });
            conn.addIOErrorListener((domain, path, alias, action) -> guarded("the I/O error callback", () -> {
                String name = nameOf(domain);
                events.submit(name, () -> callbacks.ioError(name, path, action));
            }));
            int id = LibvirtNative.INSTANCE.virConnectDomainEventRegisterAny(conn.pointer(), null,
                    LibvirtNative.EVENT_ID_BLOCK_THRESHOLD, thresholdCallback, null, null);
            if (id < 0) {
                throw new HypervisorException("libvirt refused the BLOCK_THRESHOLD event callback: "
                        + LibvirtNative.INSTANCE.virGetLastErrorMessage());
            }
            thresholdCallbackId = id;
        } catch (LibvirtException | HypervisorException e) {
            closeQuietly(conn); // opened, then failed to set up: not half a connection
            String why = "libvirt at " + settings.uri() + " not reachable: " + e.getMessage();
            synchronized (this) {
                if (state == State.CONNECTING || state == State.DISCONNECTED) {
                    problem = why;
                }
            }
            LOG.debug("{}; retrying in {} ms", why, settings.reconnectInterval().toMillis());
            onThread(this::connect, settings.reconnectInterval().toMillis());
            return;
        }
        boolean again = connectedBefore;
        synchronized (this) {
            if (closed || state == State.BROKEN) {
                closeQuietly(conn);
                return;
            }
            connection = conn;
            state = State.CONNECTED;
            problem = "";
            connectedBefore = true;
        }
        LOG.info("connected to libvirt at {}{}", settings.uri(), again ? " again" : "");
        callbacks.connected(again);
    }

    private void onClosed(org.libvirt.Connect closedConnection, String reason) {
        if (closedConnection != connection) {
            return;
        }
        LOG.warn("the libvirt connection closed ({}): VMs unreachable until it is back", reason);
        disconnect();
        synchronized (this) {
            if (state == State.CONNECTED) {
                state = State.DISCONNECTED;
                problem = "the connection closed (" + reason + ")";
            }
        }
        callbacks.disconnected("libvirt connection down");
        reconnects.incrementAndGet();
        onThread(this::connect, settings.reconnectInterval().toMillis());
    }

    private void disconnect() {
        HeadroomConnect conn = connection;
        connection = null;
        if (conn == null) {
            return;
        }
        try {
            if (thresholdCallbackId >= 0) {
                LibvirtNative.INSTANCE.virConnectDomainEventDeregisterAny(conn.pointer(), thresholdCallbackId);
            }
            conn.unregisterCloseListener();
            conn.close();
        } catch (LibvirtException | RuntimeException e) {
            LOG.debug("closing a dead libvirt connection: {}", e.getMessage());
        }
        thresholdCallbackId = -1;
    }

    private static void closeQuietly(HeadroomConnect conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (LibvirtException | RuntimeException e) {
                LOG.debug("closing a connection that failed to set up: {}", e.getMessage());
            }
        }
    }

    private static String nameOf(Domain domain) {
        try {
            return domain.getName();
        } catch (LibvirtException e) {
            return "?";
        }
    }
}
