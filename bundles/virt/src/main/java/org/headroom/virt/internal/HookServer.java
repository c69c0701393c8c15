package org.headroom.virt.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.headroom.runtime.Cancellable;
import org.headroom.runtime.NamedThreads;
import org.headroom.runtime.ThreadScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a root-only UNIX socket for the qemu hook's calls and answers each with the hook's
 * exit status. Only root can reach the socket (directory 0700, socket 0600): whoever can talk to
 * it can make the agent activate volumes.
 *
 * <p>Threads: one acceptor; {@code workers} threads, at most {@value #QUEUED} calls waiting
 * (beyond, a call is answered "busy" at once and counted: the hook applies its agent-down
 * policy); one watchdog that cuts off a hook stalled mid-request. If the acceptor ends or a
 * worker throws something unexpected, the receiver reports itself broken ({@link #health}).
 */
public final class HookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HookServer.class);
    /** Reply when every worker is busy and the queue full: the hook applies its agent-down policy. */
    static final int BUSY = -1;
    static final int QUEUED = 64;

    private final Path socket;
    private final HookHandler handler;
    private final int maxXmlBytes;
    private final long readTimeoutMs;
    private final ServerSocketChannel server;
    private final ThreadScheduler workers;
    private final ThreadScheduler watchdog;
    private final Thread acceptor;
    private volatile boolean closed;
    private volatile String broken;
    /** Calls accepted and not yet answered, waiting or being handled. */
    private final AtomicInteger inFlight = new AtomicInteger();

    public HookServer(Path socket, HookHandler handler, int maxXmlBytes, long readTimeoutMs, int workerCount)
            throws IOException {
        this.socket = socket;
        this.handler = handler;
        this.maxXmlBytes = maxXmlBytes;
        this.readTimeoutMs = readTimeoutMs;
        Path dir = socket.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        removeStaleSocket(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        workers = ThreadScheduler.create("hook-worker", workerCount, QUEUED, t -> broken("a hook call failed: " + t));
        // One cut-off per call being read: at most one per worker.
        watchdog = ThreadScheduler.create("hook-watchdog", 1, workerCount, t -> broken("the watchdog failed: " + t));
        acceptor = NamedThreads.daemon("hook-server", this::acceptLoop);
        acceptor.start();
        LOG.info("listening for the qemu hook on {}", socket);
    }

    /** A socket file nobody listens on is an agent's that died; one that answers is another agent's. */
    private static void removeStaleSocket(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            throw new IOException("another agent is listening on " + socket);
        } catch (java.net.SocketException stale) {
            Files.deleteIfExists(socket);
        }
    }

    public Path socket() {
        return socket;
    }

    /** "ok", or "broken: ..." once a thread of the receiver failed (the agent's log says more; restart the bundle). */
    public String health() {
        String b = broken;
        return b == null ? "ok" : "broken: " + b;
    }

    private void broken(String why) {
        if (broken == null) {
            broken = why;
        }
        LOG.error("the qemu hook receiver on {} is broken: {}", socket, why);
    }

    private void acceptLoop() {
        try {
            while (!closed) {
                SocketChannel client = server.accept();
                inFlight.incrementAndGet();
                try {
                    workers.execute(() -> {
                        try {
                            serve(client);
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    });
                } catch (RejectedExecutionException busy) {
                    inFlight.decrementAndGet();
                    turnAway(client, busy);
                }
            }
        } catch (Throwable t) {
            if (!closed) {
                broken("accepting on the socket failed, no hook call is answered: " + t);
            }
        }
    }

    private void turnAway(SocketChannel client, RejectedExecutionException busy) {
        handler.stats().countTurnedAway();
        LOG.warn("hook call turned away: {}", busy.getMessage());
        answer(client, BUSY, "headroom: agent busy");
    }

    private void serve(SocketChannel client) {
        // A hook that stalls mid-request must not hold a worker: closing the channel ends the read.
        Cancellable cutOff;
        try {
            cutOff = watchdog.schedule(() -> closeQuietly(client), readTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException busy) {
            turnAway(client, busy);
            return;
        }
        HookRequest request;
        try {
            InputStream in = Channels.newInputStream(client);
            request = HookProtocol.decode(in, maxXmlBytes);
        } catch (IOException e) {
            cutOff.cancel();
            handler.stats().countMalformed();
            LOG.error("hook socket: a bad request: {}", e.getMessage());
            answer(client, 0, "headroom: bad request: " + e.getMessage());
            return;
        }
        cutOff.cancel();
        try {
            HookHandler.Reply reply = handler.handle(request);
            answer(client, reply.exit(), reply.message());
        } finally {
            closeQuietly(client); // also when handling threw: the hook reads an end, not a hang
        }
    }

    private static void answer(SocketChannel client, int exit, String message) {
        try (client) {
            ByteBuffer buffer = ByteBuffer.wrap(HookProtocol.reply(exit, message));
            while (buffer.hasRemaining()) {
                client.write(buffer);
            }
        } catch (IOException e) {
            LOG.debug("hook went away before its answer: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("removing {}: {}", socket, e.toString());
        }
        try {
            acceptor.join(2000);
            // Calls accepted are answered first: closing the workers drops waiting calls (their hooks
            // would wait out their timeout) and interrupts running ones (a prepare half done).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.close(Duration.ofSeconds(5));
        watchdog.close(Duration.ofSeconds(1));
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all that was wanted
        }
    }
}
