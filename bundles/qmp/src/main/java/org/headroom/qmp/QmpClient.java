package org.headroom.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.headroom.qmp.internal.QmpFraming;
import org.headroom.qmp.internal.QmpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous QMP client over a UNIX socket.
 *
 * <p>Layers, bottom up: the socket; {@link QmpFraming} cutting the stream into messages; one reader
 * thread per connection decoding each message and routing it, replies to the call waiting on
 * their id, events to subscribers; calls, each a {@link CompletableFuture} with its own timeout.
 *
 * <ul>
 *   <li>At most {@code maxInFlight} (8) in-band commands are on the wire; QEMU stops reading the
 *       socket beyond that. Further calls wait in a bounded queue, and fail at once past it.</li>
 *   <li>Events may arrive at any moment, also before the greeting or between a command and its
 *       reply. Each subscriber has its own bounded queue drained on a dispatcher thread; when a
 *       subscriber falls behind, its oldest events are dropped and it is told how many
 *       ({@link QmpEventListener#onEventsDropped}). The reader never waits for a subscriber.</li>
 *   <li>When the connection is lost, every pending call fails at once with a
 *       {@link QmpConnectionException}; with reconnection on, the client reconnects with backoff and
 *       tells subscribers ({@link QmpEventListener#onConnectionState}).</li>
 *   <li>Malformed input (not JSON, oversized, unknown shapes, replies to nobody) is logged, counted
 *       in {@link #stats()} and skipped; it never ends the connection.</li>
 * </ul>
 */
public final class QmpClient implements AutoCloseable {

    public enum State { NEW, CONNECTING, CONNECTED, DISCONNECTED, CLOSED }

    /** Counters since the client was made. */
    public record Stats(long commands, long replies, long errors, long timeouts, long lateReplies,
                        long events, long droppedEvents, long garbage, long connects, int inFlight,
                        int queued) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(QmpClient.class);
    private static final byte[] NEWLINE = {'\n'};

    private final String name;
    private final Path socket;
    private final Duration commandTimeout;
    private final Duration connectTimeout;
    private final int maxInFlight;
    private final int maxQueued;
    private final int eventQueueCapacity;
    private final int maxMessageBytes;
    private final boolean reconnect;
    private final Duration reconnectMinDelay;
    private final Duration reconnectMaxDelay;

    private final ScheduledExecutorService timer;
    private final ExecutorService dispatcher;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLong nextId = new AtomicLong();
    private final Object writeLock = new Object();

    // Guarded by "this".
    private State state = State.NEW;
    private Session session;
    private final Map<String, Call> pending = new HashMap<>();
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    private int inFlight;
    private Duration reconnectDelay;
    private ScheduledFuture<?> reconnectTask;

    private final AtomicLong commands = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong lateReplies = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong droppedEvents = new AtomicLong();
    private final AtomicLong garbage = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();

    private QmpClient(Builder b) {
        this.name = b.name;
        this.socket = b.socket;
        this.commandTimeout = b.commandTimeout;
        this.connectTimeout = b.connectTimeout;
        this.maxInFlight = b.maxInFlight;
        this.maxQueued = b.maxQueued;
        this.eventQueueCapacity = b.eventQueueCapacity;
        this.maxMessageBytes = b.maxMessageBytes;
        this.reconnect = b.reconnect;
        this.reconnectMinDelay = b.reconnectMinDelay;
        this.reconnectMaxDelay = b.reconnectMaxDelay;
        this.reconnectDelay = b.reconnectMinDelay;
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("qmp-timer-" + name));
        this.dispatcher = Executors.newCachedThreadPool(threads("qmp-events-" + name));
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
        return session != null && session.oob;
    }

    /**
     * Connects, reads the greeting and negotiates capabilities, within the connect timeout.
     *
     * @throws QmpConnectionException when QEMU cannot be reached or does not greet in time; with
     *                                reconnection on, the client keeps trying in the background
     */
    public void connect() {
        synchronized (this) {
            if (state == State.CLOSED) {
                throw new QmpConnectionException(describe() + " is closed");
            }
            if (state == State.CONNECTED || state == State.CONNECTING) {
                return;
            }
            state = State.CONNECTING;
        }
        try {
            connectOnce();
        } catch (QmpConnectionException e) {
            connectionFailed(e);
            throw e;
        }
    }

    /** Connects in the background, retrying with backoff until it succeeds or the client is closed. */
    public void connectInBackground() {
        synchronized (this) {
            if (state != State.NEW && state != State.DISCONNECTED) {
                return;
            }
            state = State.CONNECTING;
            reconnectTask = timer.schedule(this::reconnectAttempt, 0, TimeUnit.MILLISECONDS);
        }
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
     * {@link QmpTimeoutException} or {@link QmpConnectionException}.
     */
    public CompletableFuture<JsonNode> execute(String command, Object arguments, Duration timeout) {
        return submit(command, arguments, timeout, false, false);
    }

    /** Sends an out-of-band command, which QEMU may answer before earlier in-band ones. */
    public CompletableFuture<JsonNode> executeOob(String command, Object arguments) {
        return submit(command, arguments, commandTimeout, true, false);
    }

    /** Subscribes to every event. */
    public AutoCloseable subscribe(QmpEventListener listener) {
        return subscribe(Set.of(), listener);
    }

    /** Subscribes to the named events (all when {@code names} is empty). */
    public AutoCloseable subscribe(Set<String> names, QmpEventListener listener) {
        Subscription s = new Subscription(Set.copyOf(names), Objects.requireNonNull(listener));
        subscriptions.add(s);
        return () -> subscriptions.remove(s);
    }

    /** Subscribes to one typed event, e.g. {@code on(BlockWriteThreshold.class, e -> ...)}. */
    public <T> AutoCloseable on(Class<T> eventType, Consumer<T> handler) {
        String eventName = QmpEvents.nameOf(eventType);
        return subscribe(Set.of(eventName), event -> handler.accept(event.as(eventType)));
    }

    public Stats stats() {
        synchronized (this) {
            return new Stats(commands.get(), replies.get(), errors.get(), timeouts.get(), lateReplies.get(),
                    events.get(), droppedEvents.get(), garbage.get(), connects.get(), inFlight, waiting.size());
        }
    }

    @Override
    public void close() {
        Session old;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            old = session;
            session = null;
            if (reconnectTask != null) {
                reconnectTask.cancel(false);
            }
        }
        if (old != null) {
            old.close();
        }
        failAll(new QmpConnectionException(describe() + " closed"));
        notifyState(State.CLOSED);
        timer.shutdownNow();
        dispatcher.shutdown();
        if (old != null && old.reader != Thread.currentThread()) {
            try {
                old.reader.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private String describe() {
        return "QMP " + name + " (" + socket + ")";
    }

    // ---- connection ------------------------------------------------------------------------

    private void connectOnce() {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new QmpConnectionException("cannot open a UNIX socket: " + e.getMessage(), e);
        }
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new QmpConnectionException("cannot connect to " + describe() + ": " + e, e);
        }
        Session s = new Session(channel);
        synchronized (this) {
            if (state == State.CLOSED) {
                s.close();
                throw new QmpConnectionException(describe() + " closed");
            }
            session = s;
        }
        s.reader.start();
        try {
            QmpMessage.Greeting greeting = s.greeting.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            ObjectNode args = QmpJson.MAPPER.createObjectNode();
            if (greeting.offersOob()) {
                args.putArray("enable").add("oob");
            }
            submit("qmp_capabilities", args, connectTimeout, false, true)
                    .get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            s.oob = greeting.offersOob();
        } catch (TimeoutException e) {
            s.close();
            throw new QmpConnectionException(describe() + " did not complete the handshake within " + connectTimeout);
        } catch (ExecutionException e) {
            s.close();
            throw new QmpConnectionException(describe() + " handshake failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            s.close();
            Thread.currentThread().interrupt();
            throw new QmpConnectionException("interrupted while connecting to " + describe());
        }
        synchronized (this) {
            if (session != s) {
                throw new QmpConnectionException(describe() + " lost during the handshake");
            }
            state = State.CONNECTED;
            reconnectDelay = reconnectMinDelay;
        }
        connects.incrementAndGet();
        LOG.debug("{} connected (oob={})", describe(), s.oob);
        notifyState(State.CONNECTED);
    }

    private void connectionFailed(QmpConnectionException e) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.DISCONNECTED;
            scheduleReconnect();
        }
        LOG.debug("{}", e.getMessage());
    }

    private void reconnectAttempt() {
        synchronized (this) {
            if (state == State.CLOSED || state == State.CONNECTED) {
                return;
            }
            state = State.CONNECTING;
        }
        try {
            connectOnce();
        } catch (QmpConnectionException e) {
            connectionFailed(e);
        }
    }

    /** Called with the lock held. */
    private void scheduleReconnect() {
        if (!reconnect || state == State.CLOSED) {
            return;
        }
        long delay = reconnectDelay.toMillis();
        reconnectDelay = reconnectDelay.multipliedBy(2).compareTo(reconnectMaxDelay) > 0
                ? reconnectMaxDelay : reconnectDelay.multipliedBy(2);
        try {
            reconnectTask = timer.schedule(this::reconnectAttempt, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // The client is being closed.
        }
    }

    /** The reader saw the end of the stream or an I/O error, or a write failed. */
    private void lost(Session s, String reason) {
        boolean wasConnected;
        synchronized (this) {
            if (session != s) {
                return;
            }
            session = null;
            wasConnected = state == State.CONNECTED;
            if (state != State.CLOSED) {
                state = State.DISCONNECTED;
            }
        }
        s.close();
        int failed = failAll(new QmpConnectionException(describe() + " lost: " + reason));
        if (wasConnected) {
            LOG.warn("{} lost ({}); {} pending commands failed", describe(), reason, failed);
            notifyState(State.DISCONNECTED);
        }
        synchronized (this) {
            if (state == State.DISCONNECTED) {
                scheduleReconnect();
            }
        }
    }

    private int failAll(QmpException error) {
        List<Call> calls;
        synchronized (this) {
            calls = new ArrayList<>(pending.values());
            calls.addAll(waiting);
            pending.clear();
            waiting.clear();
            inFlight = 0;
        }
        int failed = 0;
        for (Call c : calls) {
            if (c.fail(error)) {
                failed++;
            }
        }
        return failed;
    }

    // ---- calls -----------------------------------------------------------------------------

    private CompletableFuture<JsonNode> submit(String command, Object arguments, Duration timeout,
                                               boolean oob, boolean handshake) {
        Objects.requireNonNull(command, "command");
        String id = "hr-" + nextId.incrementAndGet();
        byte[] wire;
        try {
            ObjectNode msg = QmpJson.MAPPER.createObjectNode();
            msg.put(oob ? "exec-oob" : "execute", command);
            if (arguments != null) {
                JsonNode args = QmpJson.MAPPER.valueToTree(arguments);
                if (!args.isObject()) {
                    throw new IllegalArgumentException("arguments must be a JSON object, not " + args.getNodeType());
                }
                msg.set("arguments", args);
            }
            msg.put("id", id);
            wire = QmpJson.MAPPER.writeValueAsBytes(msg);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(new QmpException("cannot encode " + command + ": " + e.getMessage(), e));
        }
        Call call = new Call(id, command, wire, oob);
        Session target;
        synchronized (this) {
            if (handshake ? session == null : state != State.CONNECTED) {
                return CompletableFuture.failedFuture(
                        new QmpConnectionException(describe() + " is not connected (" + state.name().toLowerCase() + ")"));
            }
            if (oob && !handshake && !session.oob) {
                return CompletableFuture.failedFuture(new QmpException(describe() + " did not offer out-of-band execution"));
            }
            commands.incrementAndGet();
            call.timeoutTask = timer.schedule(() -> timedOut(call, timeout), timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!oob && inFlight >= maxInFlight) {
                if (waiting.size() >= maxQueued) {
                    call.timeoutTask.cancel(false);
                    return CompletableFuture.failedFuture(new QmpException(describe() + ": " + maxQueued
                            + " commands already queued behind " + maxInFlight + " in flight; " + command + " refused"));
                }
                waiting.add(call);
                return call.future;
            }
            if (!oob) {
                inFlight++;
            }
            pending.put(id, call);
            target = session;
        }
        send(target, call);
        return call.future;
    }

    private void send(Session s, Call call) {
        try {
            synchronized (writeLock) {
                ByteBuffer[] buffers = {ByteBuffer.wrap(call.wire), ByteBuffer.wrap(NEWLINE)};
                while (buffers[1].hasRemaining()) {
                    s.channel.write(buffers);
                }
            }
        } catch (IOException e) {
            lost(s, "write failed: " + e.getMessage());
        }
    }

    private void timedOut(Call call, Duration timeout) {
        boolean neverSent;
        synchronized (this) {
            neverSent = waiting.remove(call);
        }
        if (call.fail(new QmpTimeoutException(call.command + " got no reply from " + describe() + " within " + timeout
                + (neverSent ? " (still queued behind " + maxInFlight + " commands in flight)" : "")))) {
            timeouts.incrementAndGet();
        }
    }

    private void replied(QmpMessage message, JsonNode id) {
        Call call;
        List<Call> toSend = new ArrayList<>();
        Session target;
        synchronized (this) {
            call = id == null ? null : pending.remove(id.asText());
            if (call != null && !call.oob) {
                inFlight--;
                while (inFlight < maxInFlight && !waiting.isEmpty()) {
                    Call next = waiting.poll();
                    inFlight++;
                    pending.put(next.id, next);
                    toSend.add(next);
                }
            }
            target = session;
        }
        if (call == null) {
            garbage.incrementAndGet();
            LOG.warn("{}: reply to no pending command (id {}): {}", describe(), id, message);
        } else if (message instanceof QmpMessage.Return r) {
            replies.incrementAndGet();
            if (!call.complete(r.value())) {
                lateReplies.incrementAndGet();
            }
        } else if (message instanceof QmpMessage.Error e) {
            errors.incrementAndGet();
            if (!call.fail(new QmpError(call.command, e.errorClass(), e.description()))) {
                lateReplies.incrementAndGet();
            }
        }
        if (target != null) {
            for (Call next : toSend) {
                send(target, next);
            }
        }
    }

    // ---- reader ----------------------------------------------------------------------------

    private void read(Session s) {
        QmpFraming framing = new QmpFraming(maxMessageBytes);
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        String reason = "end of stream";
        try {
            while (true) {
                buffer.clear();
                if (s.channel.read(buffer) < 0) {
                    break;
                }
                buffer.flip();
                QmpFraming.Frames frames = framing.feed(buffer);
                if (frames.oversized() > 0) {
                    garbage.addAndGet(frames.oversized());
                    LOG.warn("{}: discarded {} message(s) longer than {} bytes", describe(), frames.oversized(), maxMessageBytes);
                }
                for (byte[] line : frames.messages()) {
                    route(s, QmpMessage.decode(line));
                }
            }
        } catch (IOException e) {
            reason = e.getMessage() == null ? e.toString() : e.getMessage();
        } catch (RuntimeException e) {
            reason = "reader failed: " + e;
            LOG.error("{}: reader failed", describe(), e);
        }
        if (!s.greeting.isDone()) {
            s.greeting.completeExceptionally(new QmpConnectionException(describe() + " closed before its greeting"));
        }
        lost(s, reason);
    }

    private void route(Session s, QmpMessage message) {
        if (message instanceof QmpMessage.Event e) {
            events.incrementAndGet();
            for (Subscription sub : subscriptions) {
                sub.offer(e.event());
            }
        } else if (message instanceof QmpMessage.Return r) {
            replied(r, r.id());
        } else if (message instanceof QmpMessage.Error e) {
            if (e.id() == null) {
                garbage.incrementAndGet();
                LOG.warn("{}: error without id (QEMU could not read a command): {}: {}", describe(), e.errorClass(), e.description());
            } else {
                replied(e, e.id());
            }
        } else if (message instanceof QmpMessage.Greeting g) {
            if (!s.greeting.complete(g)) {
                garbage.incrementAndGet();
                LOG.warn("{}: unexpected second greeting", describe());
            }
        } else if (message instanceof QmpMessage.Garbage g) {
            garbage.incrementAndGet();
            LOG.warn("{}: skipped malformed message ({}): {}", describe(), g.reason(), g.excerpt());
        }
    }

    private void notifyState(State newState) {
        for (Subscription sub : subscriptions) {
            sub.offer(newState);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to do with a socket that failed to close.
        }
    }

    /** One connection: its socket, its reader and its greeting. */
    private final class Session {
        final SocketChannel channel;
        final Thread reader;
        final CompletableFuture<QmpMessage.Greeting> greeting = new CompletableFuture<>();
        volatile boolean oob;

        Session(SocketChannel channel) {
            this.channel = channel;
            this.reader = new Thread(() -> read(this), "qmp-reader-" + name);
            this.reader.setDaemon(true);
        }

        void close() {
            closeQuietly(channel);
        }
    }

    private final class Call {
        final String id;
        final String command;
        final byte[] wire;
        final boolean oob;
        final CompletableFuture<JsonNode> future = new CompletableFuture<>();
        ScheduledFuture<?> timeoutTask;

        Call(String id, String command, byte[] wire, boolean oob) {
            this.id = id;
            this.command = command;
            this.wire = wire;
            this.oob = oob;
        }

        boolean complete(JsonNode value) {
            timeoutTask.cancel(false);
            return future.complete(value);
        }

        boolean fail(Throwable error) {
            if (timeoutTask != null) {
                timeoutTask.cancel(false);
            }
            return future.completeExceptionally(error);
        }
    }

    /** A subscriber and its bounded queue of events and state changes. */
    private final class Subscription {
        final Set<String> names;
        final QmpEventListener listener;
        final ArrayDeque<Object> queue = new ArrayDeque<>();
        long dropped;
        boolean draining;

        Subscription(Set<String> names, QmpEventListener listener) {
            this.names = names;
            this.listener = listener;
        }

        void offer(Object item) {
            if (item instanceof QmpEvent e && !names.isEmpty() && !names.contains(e.name())) {
                return;
            }
            synchronized (this) {
                if (queue.size() >= eventQueueCapacity) {
                    dropOldestEvent();
                }
                queue.add(item);
                if (draining) {
                    return;
                }
                draining = true;
            }
            try {
                dispatcher.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                synchronized (this) {
                    draining = false;
                }
            }
        }

        private void dropOldestEvent() {
            for (Iterator<Object> it = queue.iterator(); it.hasNext(); ) {
                if (it.next() instanceof QmpEvent) {
                    it.remove();
                    dropped++;
                    droppedEvents.incrementAndGet();
                    return;
                }
            }
            queue.poll();
        }

        void drain() {
            while (true) {
                Object item;
                long lost;
                synchronized (this) {
                    lost = dropped;
                    dropped = 0;
                    item = lost > 0 ? null : queue.poll();
                    if (lost == 0 && item == null) {
                        draining = false;
                        return;
                    }
                }
                try {
                    if (lost > 0) {
                        listener.onEventsDropped(lost);
                    } else if (item instanceof QmpEvent e) {
                        listener.onEvent(e);
                    } else {
                        listener.onConnectionState((State) item);
                    }
                } catch (RuntimeException e) {
                    LOG.error("{}: event listener {} failed", describe(), listener, e);
                }
            }
        }
    }

    public static final class Builder {
        private final Path socket;
        private String name;
        private Duration commandTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private int maxInFlight = 8;
        private int maxQueued = 256;
        private int eventQueueCapacity = 1024;
        private int maxMessageBytes = 64 << 20;
        private boolean reconnect;
        private Duration reconnectMinDelay = Duration.ofMillis(100);
        private Duration reconnectMaxDelay = Duration.ofSeconds(5);

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

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
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

        /** Events held per subscriber before its oldest are dropped. */
        public Builder eventQueueCapacity(int n) {
            this.eventQueueCapacity = range(n, 1, 1 << 20, "eventQueueCapacity");
            return this;
        }

        public Builder maxMessageBytes(int n) {
            this.maxMessageBytes = range(n, 2, Integer.MAX_VALUE, "maxMessageBytes");
            return this;
        }

        /** Reconnect after a lost connection, waiting min, 2×min, ... up to max between tries. */
        public Builder reconnect(Duration min, Duration max) {
            this.reconnect = true;
            this.reconnectMinDelay = positive(min, "reconnect min");
            this.reconnectMaxDelay = positive(max, "reconnect max");
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
    }
}
