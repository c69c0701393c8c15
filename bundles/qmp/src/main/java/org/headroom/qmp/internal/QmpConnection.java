package org.headroom.qmp.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.headroom.qmp.QmpConnectionException;
import org.headroom.qmp.QmpException;
import org.headroom.runtime.NamedThreads;
import org.headroom.runtime.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a QMP socket: the socket, one reader thread and one writer thread.
 *
 * <ul>
 *   <li>The connect never blocks: a listener whose backlog is full fails it at once, one that
 *       keeps it pending fails it after the connect timeout.</li>
 *   <li>The reader frames and decodes what arrives and hands each message to the handler, in
 *       order. Whatever it throws, an {@link Error} included, ends the connection with the cause
 *       as the reason: never a live connection with a dead reader.</li>
 *   <li>Commands go through a queue bounded in count and bytes to the writer, so no caller and
 *       not the reader ever waits for the socket; a full queue refuses the command at once. A write
 *       that makes no progress within the write timeout (QEMU stopped reading) ends the
 *       connection.</li>
 *   <li>Except when the caller's write cannot wait: nobody writing, nothing queued, a small command,
 *       and little that QEMU has not answered yet ({@link #UNANSWERED_BYTES}, {@link #UNANSWERED_COMMANDS},
 *       far below the socket's send buffer: what QEMU has answered it has read). Then the caller
 *       writes it itself, saving the hop to the writer's thread on the round trip. A peer that
 *       stops reading stops answering, so its unanswered bytes soon send every command through the
 *       queue again. A caller whose thread is interrupted always queues: an interrupt during a
 *       write would close the channel.</li>
 *   <li>The end is reported once ({@link Handler#onLost}), on the reader's thread when it runs,
 *       whoever ended it: the reader at the end of the stream, the writer, the watchdog,
 *       {@link #abort}.</li>
 * </ul>
 */
public final class QmpConnection {
    private static final Logger LOG = LoggerFactory.getLogger(QmpConnection.class);
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Writes go out in slices of this size, so that progress can be watched on a large one. */
    private static final int WRITE_SLICE_BYTES = 64 * 1024;
    private static final long IDLE = Long.MIN_VALUE;
    /** A command the caller may write itself is at most this large... */
    static final int DIRECT_WRITE_BYTES = 4096;
    /** ...and only while QEMU has left fewer commands than this, and fewer bytes, unanswered. */
    static final int UNANSWERED_COMMANDS = 16;
    static final long UNANSWERED_BYTES = 32 * 1024;

    /** Where a connection's messages and its end go. */
    public interface Handler {
        /** A message read off the socket, on the reader's thread, in the order QEMU sent them. */
        void onMessage(QmpConnection connection, QmpMessage message, int bytes);

        /** The connection ended; called once. */
        void onLost(QmpConnection connection, String reason);
    }

    /** A command's bytes (a newline included) on their way to the socket. */
    public interface Outgoing {
        byte[] wire();

        /** The bytes are all on the socket (called on the thread that wrote them: the writer's, or the caller's). */
        void written();
    }

    /** Bounds of the write queue and the timeouts of one connection. */
    public record Settings(Duration connectTimeout, Duration writeTimeout, int maxMessageBytes, int maxQueuedWrites,
                           long maxQueuedWriteBytes) {
    }

    private final String name;
    private final SocketChannel channel;
    private final Settings settings;
    private final Scheduler timer;
    private final Handler handler;
    private final QmpFraming framing;
    private final Thread reader;
    private final Thread writer;

    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    // Guarded by queue.
    private long queuedBytes;
    private boolean closed;
    /** A write is in progress, by the writer or by a caller: the next waits for it. */
    private boolean writing;
    /** Sizes of the commands written and not answered yet, oldest first (QEMU answers in order). */
    private final ArrayDeque<Integer> unanswered = new ArrayDeque<>();
    private long unansweredBytes;

    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean readerRunning;
    private volatile String abortReason;
    /** When the write in progress began, on the timer's clock; IDLE when none is. */
    private volatile long writeStarted = IDLE;
    private final AtomicBoolean watchdogArmed = new AtomicBoolean();

    private QmpConnection(String name, SocketChannel channel, Settings settings, Scheduler timer, Handler handler) {
        this.name = name;
        this.channel = channel;
        this.settings = settings;
        this.timer = timer;
        this.handler = handler;
        this.framing = new QmpFraming(settings.maxMessageBytes());
        this.reader = NamedThreads.daemon("qmp-reader-" + name, this::read);
        this.writer = NamedThreads.daemon("qmp-writer-" + name, this::write);
    }

    /**
     * Connects to {@code socket} within the connect timeout, without blocking on a listener that
     * does not accept. Nothing runs until {@link #start}.
     *
     * @throws QmpConnectionException saying why the socket could not be connected
     */
    public static QmpConnection open(String name, Path socket, Settings settings, Scheduler timer, Handler handler) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new QmpConnectionException("cannot open a UNIX socket: " + e.getMessage(), e);
        }
        try {
            channel.configureBlocking(false);
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                awaitConnect(channel, settings.connectTimeout());
            }
            channel.configureBlocking(true);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (why.contains("temporarily unavailable")) {
                why += " (the listener's backlog is full: nothing accepts connections on it)";
            }
            throw new QmpConnectionException(why, e);
        }
        return new QmpConnection(name, channel, settings, timer, handler);
    }

    private static void awaitConnect(SocketChannel channel, Duration timeout) throws IOException {
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_CONNECT);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!channel.finishConnect()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException("the listener did not accept within " + timeout.toMillis() + " ms");
                }
                selector.select(left);
            }
        }
    }

    /** Starts the reader and the writer. */
    public void start() {
        readerRunning = true;
        try {
            reader.start();
        } catch (Throwable t) {
            readerRunning = false;
            abort("cannot start the reader: " + t);
            return;
        }
        try {
            writer.start();
        } catch (Throwable t) {
            abort("cannot start the writer: " + t);
        }
    }

    /**
     * Queues a command for the writer. Never blocks.
     *
     * @throws QmpConnectionException when the connection has ended
     * @throws QmpException           when the queue is full: QEMU is not reading its socket
     */
    public void send(Outgoing outgoing) {
        int size = outgoing.wire().length;
        synchronized (queue) {
            if (closed) {
                throw new QmpConnectionException("the connection has ended" + (abortReason == null ? "" : ": " + abortReason));
            }
            if (!writing && queue.isEmpty() && size <= DIRECT_WRITE_BYTES && unanswered.size() < UNANSWERED_COMMANDS
                    && unansweredBytes + size <= UNANSWERED_BYTES && !Thread.currentThread().isInterrupted()) {
                writing = true;
                sent(size);
            } else {
                if (queue.size() >= settings.maxQueuedWrites()
                        || (!queue.isEmpty() && queuedBytes + size > settings.maxQueuedWriteBytes())) {
                    throw new QmpException(queue.size() + " commands (" + queuedBytes + " bytes) already wait to be written: "
                            + "QEMU is not reading its socket");
                }
                queue.add(outgoing);
                queuedBytes += size;
                queue.notifyAll();
                return;
            }
        }
        writeDirectly(outgoing);
    }

    /** The caller's own write of a command that cannot wait (see the class comment); its failure ends the connection. */
    private void writeDirectly(Outgoing outgoing) {
        try {
            writeFully(outgoing.wire());
        } catch (IOException e) {
            writeFailed(e);
            return;
        } finally {
            synchronized (queue) {
                writing = false;
                queue.notifyAll();
            }
        }
        outgoing.written();
    }

    /** A command of {@code size} bytes goes to the socket: unanswered until QEMU's reply. Guarded by queue. */
    private void sent(int size) {
        unanswered.add(size);
        unansweredBytes += size;
    }

    /** Commands written that QEMU has not answered yet. */
    int unansweredCommands() {
        synchronized (queue) {
            return unanswered.size();
        }
    }

    /** QEMU answered the oldest command it had not (it reads and answers commands in order). */
    private void answered() {
        synchronized (queue) {
            Integer size = unanswered.poll();
            if (size != null) {
                unansweredBytes -= size;
            }
        }
    }

    /** Ends the connection for {@code reason}: the socket closes, the reader and writer stop, the handler is told. */
    public void abort(String reason) {
        if (abortReason == null) {
            abortReason = reason;
        }
        synchronized (queue) {
            closed = true;
            queue.notifyAll();
        }
        closeQuietly(channel);
        if (!readerRunning) {
            report(abortReason);
        }
    }

    private void report(String reason) {
        if (reported.compareAndSet(false, true)) {
            abortReason = reason;
            handler.onLost(this, reason);
        }
    }

    // ---- reader ----------------------------------------------------------------------------

    private void read() {
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
        String reason = "end of stream";
        try {
            while (true) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    break;
                }
                buffer.flip();
                for (QmpFraming.Frame frame : framing.feed(buffer)) {
                    if (frame instanceof QmpFraming.Line line) {
                        QmpMessage message = QmpMessage.decode(line.bytes());
                        if (message instanceof QmpMessage.Return || message instanceof QmpMessage.Error) {
                            answered();
                        }
                        handler.onMessage(this, message, line.bytes().length);
                    } else if (frame instanceof QmpFraming.Oversized big) {
                        handler.onMessage(this, QmpMessage.oversized(big, settings.maxMessageBytes()),
                                (int) Math.min(Integer.MAX_VALUE, big.length()));
                    }
                }
            }
        } catch (ClosedChannelException closedUnderUs) {
            reason = abortReason == null ? "closed" : abortReason;
        } catch (IOException e) {
            reason = abortReason != null ? abortReason : e.getMessage() == null ? e.toString() : e.getMessage();
        } catch (Throwable t) {
            // An Error included (OutOfMemoryError on a huge message): the connection cannot go on
            // without the message it lost, so it ends, and its calls fail, rather than hang.
            reason = "reader failed: " + t;
            LOG.error("QMP {}: the reader failed; ending the connection", name, t);
        } finally {
            abort(reason);
            readerRunning = false;
            report(abortReason);
        }
    }

    // ---- writer ----------------------------------------------------------------------------

    private void write() {
        try {
            while (true) {
                Outgoing next;
                synchronized (queue) {
                    while ((queue.isEmpty() || writing) && !closed) {
                        queue.wait();
                    }
                    if (closed) {
                        return;
                    }
                    next = queue.peek();
                    writing = true;
                    sent(next.wire().length);
                }
                boolean wrote = false;
                try {
                    writeFully(next.wire());
                    wrote = true;
                } finally {
                    synchronized (queue) {
                        writing = false;
                        if (wrote) {
                            queue.poll();
                            queuedBytes -= next.wire().length;
                        }
                        queue.notifyAll();
                    }
                }
                next.written();
            }
        } catch (InterruptedException e) {
            abort("the writer was interrupted");
        } catch (IOException e) {
            writeFailed(e);
        } catch (Throwable t) {
            LOG.error("QMP {}: the writer failed; ending the connection", name, t);
            abort("writer failed: " + t);
        }
    }

    /** A write failed, the writer's or a caller's: the connection ends (closed under it: by whoever closed it). */
    private void writeFailed(IOException e) {
        abort(e instanceof ClosedChannelException ? "closed"
                : "write failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }

    private void writeFully(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            while (buffer.hasRemaining()) {
                buffer.limit(Math.min(bytes.length, buffer.position() + WRITE_SLICE_BYTES));
                writeStarted = timer.nanoTime();
                armWatchdog(settings.writeTimeout().toNanos());
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                buffer.limit(bytes.length);
            }
        } finally {
            writeStarted = IDLE;
        }
    }

    /** At most one watchdog waits at a time; the writer arms it, it re-arms itself while writes go on. */
    private void armWatchdog(long delayNanos) {
        if (watchdogArmed.compareAndSet(false, true)) {
            try {
                timer.schedule(this::checkWrite, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RuntimeException full) {
                watchdogArmed.set(false);
                LOG.warn("QMP {}: cannot watch a write ({}); it is watched from the next one", name, full.getMessage());
            }
        }
    }

    private void checkWrite() {
        watchdogArmed.set(false);
        long started = writeStarted;
        if (started == IDLE || reported.get()) {
            return;
        }
        long timeout = settings.writeTimeout().toNanos();
        long waited = timer.nanoTime() - started;
        if (waited >= timeout) {
            abort("a write made no progress within " + settings.writeTimeout().toMillis() + " ms: QEMU is not reading its socket");
        } else {
            armWatchdog(timeout - waited);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to do with a socket that failed to close.
        }
    }

    @Override
    public String toString() {
        return "QMP connection " + name;
    }
}
