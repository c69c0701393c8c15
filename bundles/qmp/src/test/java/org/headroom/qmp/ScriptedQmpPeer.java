package org.headroom.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The server end of a QMP socket, driven line by line by a test: it plays QEMU where real QEMU
 * cannot be made to misbehave on demand (garbage, torn messages, replies out of order, hang-ups,
 * a peer that stops reading, a listener that never accepts). Behaviour against real QEMU is
 * covered by the integration tests.
 */
final class ScriptedQmpPeer implements AutoCloseable {
    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
            + "\"package\": \"test\"}, \"capabilities\": [\"oob\"]}}";

    /** What the peer does with each connection it accepts in {@link #serve}. */
    @FunctionalInterface
    interface Script {
        void play(Connection c) throws Exception;
    }

    private final Path socket;
    private final ServerSocketChannel server;

    ScriptedQmpPeer(Path dir) throws IOException {
        this(dir, "qmp.sock");
    }

    ScriptedQmpPeer(Path dir, String name) throws IOException {
        socket = dir.resolve(name);
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        // Polled, so that waiting for a client that never comes has a timeout.
        server.configureBlocking(false);
    }

    Path socket() {
        return socket;
    }

    /** Waits up to 5 s for the client to connect. */
    Connection accept() throws IOException {
        Connection c = accept(Duration.ofSeconds(5));
        if (c == null) {
            throw new AssertionError("the client did not connect within 5 s");
        }
        return c;
    }

    /** The next connection within {@code timeout}, else null. */
    Connection accept(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SocketChannel channel = server.accept();
            if (channel != null) {
                return new Connection(channel);
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Accepts, greets, and answers qmp_capabilities. */
    Connection acceptAndNegotiate() throws Exception {
        Connection c = accept();
        negotiate(c);
        return c;
    }

    static void negotiate(Connection c) throws Exception {
        c.send(GREETING);
        JsonNode caps = c.readCommand();
        if (!"qmp_capabilities".equals(caps.path("execute").asText())) {
            throw new AssertionError("expected qmp_capabilities first, got " + caps);
        }
        c.reply(caps, "{}");
    }

    /**
     * Accepts every connection that comes during {@code window} and plays {@code script} on it;
     * returns the connections, all closed by then. A client's reconnection rate, measured.
     */
    List<Connection> serve(Duration window, Script script) throws Exception {
        List<Connection> accepted = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            Connection c = accept(Duration.ofNanos(left));
            if (c == null) {
                break;
            }
            accepted.add(c);
            try {
                script.play(c);
            } catch (IOException | AssertionError peerGone) {
                // The client hung up first: that is the client's business, counted all the same.
            }
        }
        for (Connection c : accepted) {
            c.close();
        }
        return accepted;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }

    /**
     * A UNIX listener that never accepts, its backlog filled: a client's connect(2) to it finds
     * no room, as it would with a QEMU whose main loop is stuck.
     */
    static final class FullListener implements AutoCloseable {
        private final Path socket;
        private final ServerSocketChannel server;
        private final List<SocketChannel> fillers = new ArrayList<>();

        FullListener(Path dir) throws IOException {
            socket = dir.resolve("full.sock");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket), 1);
            while (fillers.size() < 64) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                c.configureBlocking(false);
                try {
                    if (!c.connect(UnixDomainSocketAddress.of(socket))) {
                        c.close();
                        break;
                    }
                } catch (IOException full) {
                    c.close();
                    break;
                }
                fillers.add(c);
            }
            if (fillers.size() >= 64) {
                throw new AssertionError("the backlog never filled");
            }
        }

        Path socket() {
            return socket;
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel c : fillers) {
                c.close();
            }
            server.close();
            Files.deleteIfExists(socket);
        }
    }

    static final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);
        private volatile boolean reading = true;

        Connection(SocketChannel channel) {
            this.channel = channel;
            Thread reader = new Thread(this::readLines, "scripted-qmp-peer");
            reader.setDaemon(true);
            reader.start();
        }

        private void readLines() {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                while (reading && channel.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        byte b = buf.get();
                        if (b == '\n') {
                            if (!lines.offer(line.toString(StandardCharsets.UTF_8))) {
                                throw new IllegalStateException("the test read none of 1024 lines");
                            }
                            line.reset();
                        } else {
                            line.write(b);
                        }
                    }
                    buf.clear();
                }
            } catch (IOException closed) {
                // The test or the client hung up.
            }
        }

        /** Stops reading the socket (after the read in progress), as a stuck QEMU does: the client's writes fill it. */
        void stopReading() {
            reading = false;
        }

        /** The next command the client sent, within 5 s. */
        JsonNode readCommand() throws Exception {
            String line = lines.poll(5, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("the client sent no command within 5 s");
            }
            return QmpJson.MAPPER.readTree(line);
        }

        /** The next command if one arrives within {@code millis}, else null. */
        JsonNode pollCommand(long millis) throws Exception {
            String line = lines.poll(millis, TimeUnit.MILLISECONDS);
            return line == null ? null : QmpJson.MAPPER.readTree(line);
        }

        void reply(JsonNode command, String returnJson) throws IOException {
            send("{\"return\": " + returnJson + ", \"id\": " + command.get("id") + "}");
        }

        void replyError(JsonNode command, String errorClass, String desc) throws IOException {
            send("{\"id\": " + command.get("id") + ", \"error\": {\"class\": \"" + errorClass + "\", \"desc\": \"" + desc + "\"}}");
        }

        void event(String name, String dataJson) throws IOException {
            send("{\"timestamp\": {\"seconds\": 1795320212, \"microseconds\": 488121}, \"event\": \"" + name + "\""
                    + (dataJson == null ? "" : ", \"data\": " + dataJson) + "}");
        }

        /** Sends a line as QEMU does, with CRLF. */
        void send(String line) throws IOException {
            sendRaw(line + "\r\n");
        }

        void sendRaw(String text) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
