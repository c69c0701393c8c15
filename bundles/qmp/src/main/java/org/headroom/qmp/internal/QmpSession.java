package org.headroom.qmp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.headroom.qmp.QmpConnectionException;
import org.headroom.qmp.QmpError;
import org.headroom.qmp.QmpException;
import org.headroom.qmp.QmpJson;
import org.headroom.qmp.QmpTimeoutException;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls of one connection: ids, the replies they wait for, and QEMU's in-flight window. No
 * I/O and no threads of its own: it writes through a {@link Wire} that never blocks and keeps time
 * on a {@link Scheduler}, so that a fake one tests it without sleeping.
 *
 * <ul>
 *   <li>At most {@code maxInFlight} (QEMU's 8) in-band commands are on the wire; QEMU stops reading
 *       beyond that. Further calls wait in a queue bounded in count and bytes, refused past it.</li>
 *   <li>A call that times out keeps its slot until QEMU answers it (QEMU still has it queued); the
 *       late reply is counted and frees the slot.</li>
 *   <li>QEMU answers in-band commands in order, so a reply that cannot be matched by its id (an id
 *       of another JSON type or of no call, an error without id, an unreadable or oversized line
 *       that is not an event) answers the oldest in-band call still waiting: that call fails with
 *       what went wrong, and its slot is free again. A string id read from the tail of an
 *       unreadable line is preferred to the order.</li>
 * </ul>
 */
public final class QmpSession {
    private static final Logger LOG = LoggerFactory.getLogger(QmpSession.class);

    /** Where the session's commands go; {@link QmpConnection#send} in production. Must not block. */
    @FunctionalInterface
    public interface Wire {
        void send(QmpConnection.Outgoing command);
    }

    /** Bounds of one session: QEMU's window, the waiting queue, out-of-band calls in flight, a command's size. */
    public record Limits(int maxInFlight, int maxQueued, long maxQueuedBytes, int maxOobInFlight, int maxMessageBytes) {
    }

    private final String describe;
    private final Wire wire;
    private final Scheduler timer;
    private final Executor completions;
    private final QmpCounters counters;
    private final Limits limits;
    private final AtomicLong ids;

    // Guarded by this. In-band calls in the order they were written: the oldest answers first.
    private final LinkedHashMap<String, Call> inBand = new LinkedHashMap<>();
    private final Map<String, Call> outOfBand = new HashMap<>();
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private QmpException ended;

    /**
     * @param describe    names the peer in messages, e.g. "QMP vm1 (/run/vm1/qmp.sock)"
     * @param completions runs the completion of a call that timed out, off the timer's thread
     * @param ids         the counter the calls' ids ("hr-N") are drawn from
     */
    public QmpSession(String describe, Wire wire, Scheduler timer, Executor completions, QmpCounters counters,
                      Limits limits, AtomicLong ids) {
        this.describe = describe;
        this.wire = wire;
        this.timer = timer;
        this.completions = completions;
        this.counters = counters;
        this.limits = limits;
        this.ids = ids;
    }

    /**
     * Sends a command. {@code arguments} may be null, a {@link JsonNode}, a map or a record. The
     * future fails with {@link QmpError}, {@link QmpTimeoutException}, {@link QmpConnectionException}
     * or {@link QmpException}.
     */
    public CompletableFuture<JsonNode> submit(String command, Object arguments, Duration timeout, boolean oob) {
        Objects.requireNonNull(command, "command");
        String id = "hr-" + ids.incrementAndGet();
        byte[] bytes;
        try {
            bytes = encode(id, command, arguments, oob);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(new QmpException("cannot encode " + command + ": " + e.getMessage(), e));
        }
        if (bytes.length > limits.maxMessageBytes()) {
            return CompletableFuture.failedFuture(new QmpException(command + " is " + bytes.length
                    + " bytes long, more than the client's limit of " + limits.maxMessageBytes() + " bytes"));
        }
        Call call = new Call(id, command, bytes, oob);
        QmpException refused = null;
        synchronized (this) {
            if (ended != null) {
                refused = ended;
            } else if (oob && outOfBand.size() >= limits.maxOobInFlight()) {
                refused = new QmpException(describe + ": " + outOfBand.size() + " out-of-band commands await replies; "
                        + command + " refused");
            } else if (!oob && (inBand.size() >= limits.maxInFlight() || !waiting.isEmpty())
                    && (waiting.size() >= limits.maxQueued() || waitingBytes + bytes.length > limits.maxQueuedBytes())) {
                refused = new QmpException(describe + ": " + waiting.size() + " commands (" + waitingBytes
                        + " bytes) already queued behind " + inBand.size() + " in flight; " + command + " refused");
            } else {
                try {
                    call.timeout = timer.schedule(() -> timedOut(call, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    refused = new QmpException(describe + ": cannot time " + command + ": " + e.getMessage(), e);
                }
            }
            if (refused == null) {
                counters.commands.increment();
                if (!oob && (inBand.size() >= limits.maxInFlight() || !waiting.isEmpty())) {
                    waiting.add(call);
                    waitingBytes += bytes.length;
                } else {
                    refused = transmit(call);
                }
            }
        }
        if (refused != null) {
            call.fail(refused);
        }
        return call.future;
    }

    /** Routes a reply, or a line that can only be a reply, to its call. Called by the reader, in order. */
    public void replied(QmpMessage message) {
        JsonNode id = message instanceof QmpMessage.Return r ? r.id()
                : message instanceof QmpMessage.Error e ? e.id() : null;
        String textId = id != null && id.isTextual() ? id.asText()
                : message instanceof QmpMessage.Garbage g ? g.id() : null;
        Call call;
        boolean byId;
        List<Call> refused = new ArrayList<>();
        synchronized (this) {
            call = textId == null ? null : inBand.remove(textId);
            if (call == null && textId != null) {
                call = outOfBand.remove(textId);
            }
            byId = call != null;
            if (call == null) {
                call = oldestInBand();
            }
            if (call != null && !call.oob) {
                promote(refused);
            }
        }
        for (Call c : refused) {
            c.fail(c.refusal);
        }
        if (call == null) {
            counters.garbage.increment();
            LOG.warn("{}: a reply to no command in flight: {}", describe, message);
            return;
        }
        boolean failedAlready = call.future.isDone();
        if (message instanceof QmpMessage.Error e) {
            counters.errors.increment();
            call.fail(new QmpError(call.command, e.errorClass(), e.description()));
            if (!byId) {
                LOG.warn("{}: an error reply with id {} taken as the reply to {} ({}), the oldest in flight: {}: {}",
                        describe, id, call.command, call.id, e.errorClass(), e.description());
            }
        } else if (byId && message instanceof QmpMessage.Return r) {
            counters.replies.increment();
            call.complete(r.value());
        } else {
            counters.unreadableReplies.increment();
            String what = message instanceof QmpMessage.Garbage g
                    ? "its reply was unreadable (" + g.reason() + ")" + (byId ? "" : " and named no command: taken by order")
                    : "its reply carried id " + id + ", which matches no command: taken by order";
            LOG.warn("{}: {} ({}): {}", describe, call.command, call.id, what);
            call.fail(new QmpException(call.command + " (" + call.id + ") failed: " + what));
        }
        if (failedAlready) {
            counters.lateReplies.increment();
        }
    }

    /** Fails every call, waiting or in flight, with {@code error}; later calls fail with it at once. */
    public int failAll(QmpException error) {
        List<Call> calls;
        synchronized (this) {
            if (ended == null) {
                ended = error;
            }
            calls = new ArrayList<>(inBand.values());
            calls.addAll(outOfBand.values());
            calls.addAll(waiting);
            inBand.clear();
            outOfBand.clear();
            waiting.clear();
            waitingBytes = 0;
        }
        int failed = 0;
        for (Call c : calls) {
            if (c.fail(error)) {
                failed++;
            }
        }
        return failed;
    }

    /** In-band calls on the wire (or on their way to it) with no reply yet. */
    public synchronized int inFlight() {
        return inBand.size();
    }

    /** In-band calls waiting for a slot. */
    public synchronized int queued() {
        return waiting.size();
    }

    private Call oldestInBand() {
        Iterator<Call> it = inBand.values().iterator();
        if (!it.hasNext()) {
            return null;
        }
        Call oldest = it.next();
        it.remove();
        return oldest;
    }

    /** Called with the lock held: fills free slots from the waiting queue. */
    private void promote(List<Call> refused) {
        while (inBand.size() < limits.maxInFlight() && !waiting.isEmpty()) {
            Call next = waiting.poll();
            waitingBytes -= next.wire.length;
            QmpException error = transmit(next);
            if (error != null) {
                next.refusal = error;
                refused.add(next);
            }
        }
    }

    /** Called with the lock held, so that calls reach the wire in the order they take slots. */
    private QmpException transmit(Call call) {
        Map<String, Call> slots = call.oob ? outOfBand : inBand;
        slots.put(call.id, call);
        try {
            wire.send(call);
            return null;
        } catch (QmpException e) {
            slots.remove(call.id);
            return e instanceof QmpConnectionException ? e
                    : new QmpException(call.command + " not sent to " + describe + ": " + e.getMessage(), e);
        }
    }

    private void timedOut(Call call, Duration timeout) {
        boolean queued;
        synchronized (this) {
            queued = waiting.remove(call);
            if (queued) {
                waitingBytes -= call.wire.length;
            }
        }
        String where = queued ? " (still queued behind " + limits.maxInFlight() + " commands in flight)"
                : !call.written ? " (not yet written: QEMU is not reading its socket)" : "";
        QmpTimeoutException error = new QmpTimeoutException(call.command + " got no reply from " + describe
                + " within " + timeout.toMillis() + " ms" + where);
        // Off the timer's thread: what waits on the call runs where it completes.
        Runnable fail = () -> {
            if (call.fail(error)) {
                counters.timeouts.increment();
            }
        };
        try {
            completions.execute(fail);
        } catch (RejectedExecutionException e) {
            fail.run();
        }
    }

    private static byte[] encode(String id, String command, Object arguments, boolean oob) throws Exception {
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
        byte[] json = QmpJson.MAPPER.writeValueAsBytes(msg);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    private static final class Call implements QmpConnection.Outgoing {
        final String id;
        final String command;
        final byte[] wire;
        final boolean oob;
        final CompletableFuture<JsonNode> future = new CompletableFuture<>();
        volatile Cancellable timeout;
        QmpException refusal;
        volatile boolean written;

        Call(String id, String command, byte[] wire, boolean oob) {
            this.id = id;
            this.command = command;
            this.wire = wire;
            this.oob = oob;
        }

        @Override
        public byte[] wire() {
            return wire;
        }

        @Override
        public void written() {
            written = true;
        }

        void complete(JsonNode value) {
            cancelTimeout();
            future.complete(value);
        }

        boolean fail(Throwable error) {
            cancelTimeout();
            return future.completeExceptionally(error);
        }

        private void cancelTimeout() {
            Cancellable t = timeout;
            if (t != null) {
                t.cancel();
            }
        }
    }
}
