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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a root-only UNIX socket for the qemu hook's calls and answers each with the hook's
 * exit status. Only root can reach the socket (directory 0700, socket 0600): whoever can talk to
 * it can make the agent activate volumes.
 */
public final class HookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HookServer.class);
    /** Reply when every worker is busy and the queue full: the hook applies its agent-down policy. */
    static final int BUSY = -1;

    private final Path socket;
    private final HookHandler handler;
    private final int maxXmlBytes;
    private final long readTimeoutMs;
    private final ServerSocketChannel server;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService watchdog;
    private final Thread acceptor;
    private volatile boolean closed;

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
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(workerCount, workerCount, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
                r -> daemon(r, "hook-worker-" + n.incrementAndGet()));
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hook-watchdog"));
        acceptor = daemon(this::acceptLoop, "hook-server");
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

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.error("hook socket {}: accept failed: {}", socket, e.toString());
                }
                return;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException busy) {
                LOG.warn("hook call turned away: {} calls waiting", workers.getQueue().size());
                answer(client, BUSY, "headroom: agent busy");
            }
        }
    }

    private void serve(SocketChannel client) {
        // A hook that stalls mid-request must not hold a worker: closing the channel ends the read.
        ScheduledFuture<?> cutOff = watchdog.schedule(() -> closeQuietly(client), readTimeoutMs, TimeUnit.MILLISECONDS);
        HookRequest request;
        try {
            InputStream in = Channels.newInputStream(client);
            request = HookProtocol.decode(in, maxXmlBytes);
        } catch (IOException e) {
            cutOff.cancel(false);
            handler.stats().countMalformed();
            LOG.error("hook socket: a bad request: {}", e.getMessage());
            answer(client, 0, "headroom: bad request: " + e.getMessage());
            return;
        }
        cutOff.cancel(false);
        HookHandler.Reply reply = handler.handle(request);
        answer(client, reply.exit(), reply.message());
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
        workers.shutdown();
        watchdog.shutdownNow();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("removing {}: {}", socket, e.toString());
        }
        try {
            acceptor.join(2000);
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all that was wanted
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
