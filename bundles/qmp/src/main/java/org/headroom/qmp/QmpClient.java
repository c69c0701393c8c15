package org.headroom.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.headroom.qmp.internal.QmpConnection;
import org.headroom.qmp.internal.QmpCounters;
import org.headroom.qmp.internal.QmpEventDispatcher;
import org.headroom.qmp.internal.QmpMessage;
import org.headroom.qmp.internal.QmpSession;
import org.headroom.runtime.Backoff;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Scheduler;
import org.headroom.runtime.ThreadScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous QMP client over a UNIX socket, in layers (as Python's qemu.qmp and OkHttp cut
 * theirs): a {@link QmpConnection} (the socket, one reader and one writer thread, the connect and
 * write watchdogs), a {@link QmpSession} per connection (ids, the replies they wait for, QEMU's
 * in-flight window), a {@link QmpEventDispatcher} (each subscriber's bounded queue), and this
 * facade, which owns the connection's life: {@link State}s, handshake, reconnection.
 *
 * <ul>
 *   <li>At most {@code maxInFlight} (8) in-band commands are on the wire; QEMU stops reading the
 *       socket beyond that. Further calls wait in a queue bounded in count and bytes, and fail at
 *       once past it. No call ever blocks its caller: writes go through the writer's bounded queue.</li>
 *   <li>Events may arrive at any moment, also before the greeting or between a command and its
 *       reply; they reach each subscriber through its own queue, bounded in count and bytes, whose
 *       oldest events are dropped when it falls behind ({@link QmpEventListener#onEventsDropped}).</li>
 *   <li>When the connection ends, however it ends (QEMU exits, a write makes no progress, the
 *       reader fails with any {@link Throwable}), every pending call fails at once with a
 *       {@link QmpConnectionException} and the state leaves {@link State#CONNECTED}; with
 *       reconnection on, one attempt at a time is made, with backoff, whatever failed.</li>
 *   <li>Input that answers no command (not JSON, oversized, of unknown shape) is logged, counted
 *       in {@link #stats()} and skipped; a reply that cannot be matched by its id answers the
 *       oldest in-band call, which fails saying why. The connection stays up.</li>
 *   <li>The timer and the dispatcher can be shared by all clients ({@link Builder#timer},
 *       {@link Builder#dispatcher}); without them a client makes its own and ends them on close.</li>
 * </ul>
 */
public final class QmpClient implements AutoCloseable {

    /**
     * Where the client is: {@code NEW} (never connected), {@code CONNECTING} (an attempt runs:
     * socket, greeting, capabilities), {@code CONNECTED} (calls go out), {@code DISCONNECTED} (the
     * last attempt or connection ended; with reconnection on, the next waits for its backoff),
     * {@code CLOSED} (for good).
     */
    public enum State { NEW, CONNECTING, CONNECTED, DISCONNECTED, CLOSED }

    /** The largest message the client reads or sends (QEMU's own JSON parser stops at the same). */
    public static final int MAX_MESSAGE_BYTES = 64 << 20;

    /** A connection that stayed up this long starts the reconnection backoff again from its minimum. */
    public static final Duration STABLE_CONNECTION = Duration.ofSeconds(10);

    /** Counters since the client was made, over all its connections, and its queues now. */
    public record Stats(long commands, long replies, long errors, long timeouts, long lateReplies,
                        long unreadableReplies, long events, long droppedEvents, long garbage, long attempts,
                        long connects, int inFlight, int queued) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(QmpClient.class);
    private static final int MAX_OOB_IN_FLIGHT = 16;
    private static final int MAX_QUEUED_WRITES = 64;

    private final String name;
    private final Path socket;
    private final Duration commandTimeout;
    private final Duration connectTimeout;
    private final boolean reconnect;
    private final QmpConnection.Settings connectionSettings;
    private final QmpSession.Limits sessionLimits;
    private final Scheduler timer;
    private final Executor dispatcher;
    private final List<ThreadScheduler> ownThreads = new ArrayList<>();
    private final QmpCounters counters = new QmpCounters();
    private final QmpEventDispatcher events;
    private final AtomicLong ids = new AtomicLong();

    // Guarded by "this".
    private State state = State.NEW;
    private Attempt attempt;
    private Cancellable reconnectTask;
    private final Backoff backoff;

    private QmpClient(Builder b) {
        this.name = b.name;
        this.socket = b.socket;
        this.commandTimeout = b.commandTimeout;
        this.connectTimeout = b.connectTimeout;
        this.reconnect = b.reconnect;
        this.connectionSettings = new QmpConnection.Settings(b.connectTimeout, b.writeTimeout, b.maxMessageBytes,
                MAX_QUEUED_WRITES, b.maxQueuedBytes);
        this.sessionLimits = new QmpSession.Limits(b.maxInFlight, b.maxQueued, b.maxQueuedBytes, MAX_OOB_IN_FLIGHT,
                b.maxMessageBytes);
        this.backoff = new Backoff(b.reconnectMinDelay, b.reconnectMaxDelay, STABLE_CONNECTION);
        this.timer = b.timer != null ? b.timer : own(ThreadScheduler.create("qmp-timer-" + name, 1, 1 << 16));
        this.dispatcher = b.dispatcher != null ? b.dispatcher : own(ThreadScheduler.create("qmp-events-" + name, 2, 1 << 12));
        this.events = new QmpEventDispatcher(describe(), dispatcher, timer,
                new QmpEventDispatcher.Limits(b.eventQueueCapacity, b.eventQueueBytes), counters);
    }

    /** Threads made for this client alone, ended with it. */
    private ThreadScheduler own(ThreadScheduler threads) {
        ownThreads.add(threads);
        return threads;
    }

    public static Builder builder(Path socket) {
        return new Builder(socket);
    }

    public String name() {
        return name;
    }

    public Path socket() {
        return socket;
    }

    public synchronized State state() {
        return state;
    }

    /** Whether QEMU accepted out-of-band commands on the current connection. */
    public synchronized boolean oob() {
        return state == State.CONNECTED && attempt.oob;
    }

    /**
     * Connects, reads the greeting and negotiates capabilities, within the connect timeout; waits
     * for an attempt already under way rather than starting a second.
     *
     * @throws QmpConnectionException when QEMU cannot be reached or does not complete the handshake
     *                                in time; with reconnection on, the client keeps trying in the
     *                                background
     */
    public void connect() {
        CompletableFuture<Void> ready;
        synchronized (this) {
            if (state == State.CLOSED) {
                throw new QmpConnectionException(describe() + " is closed");
            }
            if (state == State.CONNECTED) {
                return;
            }
        }
        ready = attemptNow();
        try {
            // The attempt ends by itself within the connect timeout; the margin only guards that promise.
            ready.get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new QmpConnectionException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new QmpConnectionException(describe() + " did not connect within " + connectTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpConnectionException("interrupted while connecting to " + describe());
        }
    }

    /** Connects in the background; with reconnection on, retries with backoff until connected or closed. */
    public void connectInBackground() {
        synchronized (this) {
            if (state != State.NEW && (state != State.DISCONNECTED || reconnectTask != null)) {
                return;
            }
        }
        attemptNow();
    }

    /** Sends a command with the default timeout; completes with its "return" value. */
    public CompletableFuture<JsonNode> execute(String command) {
        return execute(command, null, commandTimeout);
    }

    public CompletableFuture<JsonNode> execute(String command, Object arguments) {
        return execute(command, arguments, commandTimeout);
    }

    /**
     * Sends a command. {@code arguments} may be null, a {@link JsonNode}, a map or a record
     * (serialized with {@link QmpJson#MAPPER}). The future fails with {@link QmpError},
     * {@link QmpTimeoutException}, {@link QmpConnectionException}, or {@link QmpException} (refused:
     * queue full; its reply unreadable). Callbacks attached without an executor may run on the
     * connection's reader: they must not block.
     */
    public CompletableFuture<JsonNode> execute(String command, Object arguments, Duration timeout) {
        return submit(command, arguments, timeout, false);
    }

    /** Sends an out-of-band command, which QEMU may answer before earlier in-band ones. */
    public CompletableFuture<JsonNode> executeOob(String command, Object arguments) {
        return submit(command, arguments, commandTimeout, true);
    }

    /** Subscribes to every event. */
    public AutoCloseable subscribe(QmpEventListener listener) {
        return subscribe(Set.of(), listener);
    }

    /** Subscribes to the named events (all when {@code names} is empty). */
    public AutoCloseable subscribe(Set<String> names, QmpEventListener listener) {
        return events.subscribe(names, listener);
    }

    /** Subscribes to one typed event, e.g. {@code on(BlockWriteThreshold.class, e -> ...)}. */
    public <T> AutoCloseable on(Class<T> eventType, Consumer<T> handler) {
        String eventName = QmpEvents.nameOf(eventType);
        return subscribe(Set.of(eventName), event -> handler.accept(event.as(eventType)));
    }

    public Stats stats() {
        QmpSession session;
        synchronized (this) {
            session = attempt == null ? null : attempt.session;
        }
        return new Stats(counters.commands(), counters.replies(), counters.errors(), counters.timeouts(),
                counters.lateReplies(), counters.unreadableReplies(), counters.events(), counters.droppedEvents(),
                counters.garbage(), counters.attempts(), counters.connects(),
                session == null ? 0 : session.inFlight(), session == null ? 0 : session.queued());
    }

    /** Ends the connection and every call, attempt and wait at once; never blocks on the peer. */
    @Override
    public void close() {
        Attempt current;
        Cancellable waiting;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            current = attempt;
            attempt = null;
            waiting = reconnectTask;
            reconnectTask = null;
            events.state(State.CLOSED);
        }
        if (waiting != null) {
            waiting.cancel();
        }
        if (current != null) {
            current.end(new QmpConnectionException(describe() + " closed"));
        }
        events.close();
        for (ThreadScheduler own : ownThreads) {
            own.close(Duration.ofMillis(200));
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private String describe() {
        return "QMP " + name + " (" + socket + ")";
    }

    private CompletableFuture<JsonNode> submit(String command, Object arguments, Duration timeout, boolean oob) {
        QmpSession session;
        synchronized (this) {
            if (state != State.CONNECTED) {
                return CompletableFuture.failedFuture(new QmpConnectionException(
                        describe() + " is not connected (" + state.name().toLowerCase(Locale.ROOT) + ")"));
            }
            if (oob && !attempt.oob) {
                return CompletableFuture.failedFuture(new QmpException(describe() + " did not offer out-of-band execution"));
            }
            session = attempt.session;
        }
        return session.submit(command, arguments, timeout, oob);
    }

    // ---- the connection's life: one attempt at a time --------------------------------------

    /** The attempt under way, or a new one. Never blocks: the socket connects without waiting, the timer watches the handshake. */
    private CompletableFuture<Void> attemptNow() {
        Attempt a;
        synchronized (this) {
            if (state == State.CLOSED) {
                return CompletableFuture.failedFuture(new QmpConnectionException(describe() + " is closed"));
            }
            if (attempt != null) {
                return attempt.ready;
            }
            if (reconnectTask != null) {
                reconnectTask.cancel();
                reconnectTask = null;
            }
            state = State.CONNECTING;
            a = new Attempt();
            attempt = a;
            counters.countAttempt();
        }
        a.begin();
        return a.ready;
    }

    private void connected(Attempt a, boolean oob) {
        synchronized (this) {
            if (attempt != a || state == State.CLOSED) {
                return;
            }
            state = State.CONNECTED;
            a.oob = oob;
            backoff.connected(timer.nanoTime());
            counters.countConnect();
            events.state(State.CONNECTED);
        }
        a.cancelWatchdog();
        LOG.debug("{} connected (oob={})", describe(), oob);
        a.ready.complete(null);
    }

    /** The attempt or its connection ended: reported once per attempt, by whoever saw it end. */
    private void ended(Attempt a, String reason) {
        boolean wasConnected;
        synchronized (this) {
            if (attempt != a) {
                return;
            }
            attempt = null;
            wasConnected = state == State.CONNECTED;
            state = State.DISCONNECTED;
            backoff.ended(timer.nanoTime());
            if (wasConnected) {
                events.state(State.DISCONNECTED);
            }
        }
        QmpConnectionException error = new QmpConnectionException(wasConnected
                ? describe() + " lost: " + reason : "cannot connect to " + describe() + ": " + reason);
        int failed = a.end(error);
        if (wasConnected) {
            LOG.warn("{} lost ({}); {} pending commands failed", describe(), reason, failed);
        } else {
            LOG.debug("{}", error.getMessage());
        }
        scheduleReconnect();
    }

    private synchronized void scheduleReconnect() {
        if (!reconnect || state != State.DISCONNECTED || attempt != null || reconnectTask != null) {
            return;
        }
        try {
            reconnectTask = timer.schedule(this::reconnectNow, backoff.nextDelayNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.error("{}: cannot schedule the reconnection ({}): it stays disconnected", describe(), e.getMessage());
        }
    }

    private void reconnectNow() {
        synchronized (this) {
            reconnectTask = null;
            if (state != State.DISCONNECTED) {
                return;
            }
        }
        attemptNow();
    }

    /** One connection attempt and, once it is made, the connection's life. */
    private final class Attempt implements QmpConnection.Handler {
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        volatile QmpConnection connection;
        volatile QmpSession session;
        volatile Cancellable watchdog;
        volatile boolean oob;
        boolean greeted;

        void begin() {
            QmpConnection c;
            try {
                c = QmpConnection.open(name, socket, connectionSettings, timer, this);
            } catch (QmpConnectionException e) {
                ended(this, e.getMessage());
                return;
            }
            session = new QmpSession(describe(), c::send, timer, dispatcher, counters, sessionLimits, ids);
            connection = c;
            synchronized (QmpClient.this) {
                if (attempt != this) {
                    c.abort("closed");
                    return;
                }
            }
            try {
                watchdog = timer.schedule(() -> c.abort("did not complete the handshake within "
                        + connectTimeout.toMillis() + " ms"), connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                c.abort("cannot time the handshake: " + e.getMessage());
                return;
            }
            c.start();
        }

        /** Ends this attempt's connection and fails its calls; returns how many failed. */
        int end(QmpConnectionException error) {
            cancelWatchdog();
            QmpConnection c = connection;
            if (c != null) {
                c.abort(error.getMessage());
            }
            QmpSession s = session;
            int failed = s == null ? 0 : s.failAll(error);
            ready.completeExceptionally(error);
            return failed;
        }

        void cancelWatchdog() {
            Cancellable w = watchdog;
            if (w != null) {
                w.cancel();
            }
        }

        @Override
        public void onMessage(QmpConnection c, QmpMessage message, int bytes) {
            if (message instanceof QmpMessage.Event e) {
                events.publish(e.event(), bytes);
            } else if (message instanceof QmpMessage.Greeting g) {
                if (greeted) {
                    counters.countGarbage();
                    LOG.warn("{}: unexpected second greeting", describe());
                } else {
                    greeted = true;
                    negotiate(c, g.offersOob());
                }
            } else if (message instanceof QmpMessage.Garbage g && g.shape() != QmpMessage.Shape.REPLY) {
                counters.countGarbage();
                LOG.warn("{}: skipped {} ({}): {}", describe(), g.shape() == QmpMessage.Shape.EVENT
                        ? "an unreadable event" : "a message that answers nothing", g.reason(), g.excerpt());
                if (g.shape() == QmpMessage.Shape.EVENT) {
                    events.lost(1);
                }
            } else {
                session.replied(message);
            }
        }

        @Override
        public void onLost(QmpConnection c, String reason) {
            ended(this, reason);
        }

        private void negotiate(QmpConnection c, boolean offersOob) {
            ObjectNode args = QmpJson.MAPPER.createObjectNode();
            if (offersOob) {
                args.putArray("enable").add("oob");
            }
            session.submit("qmp_capabilities", args, connectTimeout, false).whenComplete((ok, error) -> {
                if (error == null) {
                    connected(this, offersOob);
                } else {
                    c.abort("qmp_capabilities refused: " + error.getMessage());
                }
            });
        }
    }

    public static final class Builder {
        private final Path socket;
        private String name;
        private Duration commandTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration writeTimeout = Duration.ofSeconds(10);
        private int maxInFlight = 8;
        private int maxQueued = 256;
        private long maxQueuedBytes = 16L << 20;
        private int eventQueueCapacity = 1024;
        private long eventQueueBytes = 8L << 20;
        private int maxMessageBytes = MAX_MESSAGE_BYTES;
        private boolean reconnect;
        private Duration reconnectMinDelay = Duration.ofMillis(100);
        private Duration reconnectMaxDelay = Duration.ofSeconds(5);
        private Scheduler timer;
        private Executor dispatcher;

        private Builder(Path socket) {
            this.socket = Objects.requireNonNull(socket, "socket");
            this.name = socket.getFileName().toString();
        }

        /** A name for logs and thread names, e.g. the VM's name. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive(timeout, "commandTimeout");
            return this;
        }

        /** Socket connect, greeting and capability negotiation together. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** A write that makes no progress this long (QEMU stopped reading) ends the connection. */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /** In-band commands on the wire at once; QEMU's own limit is 8. */
        public Builder maxInFlight(int n) {
            this.maxInFlight = range(n, 1, 8, "maxInFlight");
            return this;
        }

        /** Commands waiting for an in-flight slot before further calls are refused. */
        public Builder maxQueued(int n) {
            this.maxQueued = range(n, 0, 1 << 20, "maxQueued");
            return this;
        }

        /**
         * Bytes of commands waiting, for a slot or for the writer (each queue), before further calls
         * are refused; an empty writer queue takes one command of any size up to the message limit.
         */
        public Builder maxQueuedBytes(long n) {
            this.maxQueuedBytes = range(n, 1, 1L << 32, "maxQueuedBytes");
            return this;
        }

        /** Events held per subscriber before its oldest are dropped. */
        public Builder eventQueueCapacity(int n) {
            this.eventQueueCapacity = range(n, 1, 1 << 20, "eventQueueCapacity");
            return this;
        }

        /** Bytes of events (as received) held per subscriber before its oldest are dropped. */
        public Builder eventQueueBytes(long n) {
            this.eventQueueBytes = range(n, 1, 1L << 32, "eventQueueBytes");
            return this;
        }

        /** The longest message read or sent, at most {@link #MAX_MESSAGE_BYTES}; a longer one is refused. */
        public Builder maxMessageBytes(int n) {
            this.maxMessageBytes = range(n, 2, MAX_MESSAGE_BYTES, "maxMessageBytes");
            return this;
        }

        /** Reconnect after a lost connection, waiting min, 2×min, ... up to max between tries. */
        public Builder reconnect(Duration min, Duration max) {
            this.reconnect = true;
            this.reconnectMinDelay = positive(min, "reconnect min");
            this.reconnectMaxDelay = positive(max, "reconnect max");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnect max " + max + " is shorter than min " + min);
            }
            return this;
        }

        /** The timer to share with other clients (short tasks only); by default the client makes its own. */
        public Builder timer(Scheduler timer) {
            this.timer = Objects.requireNonNull(timer);
            return this;
        }

        /** The executor that delivers events, to share with other clients; by default the client makes its own. */
        public Builder dispatcher(Executor dispatcher) {
            this.dispatcher = Objects.requireNonNull(dispatcher);
            return this;
        }

        public QmpClient build() {
            return new QmpClient(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }

        private static int range(int n, int min, int max, String what) {
            if (n < min || n > max) {
                throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ": " + n);
            }
            return n;
        }

        private static long range(long n, long min, long max, String what) {
            if (n < min || n > max) {
                throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ": " + n);
            }
            return n;
        }
    }
}
