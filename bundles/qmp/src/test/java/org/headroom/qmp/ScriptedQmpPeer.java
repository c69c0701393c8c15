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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The server end of a QMP socket, driven line by line by a test: it plays QEMU where real QEMU
 * cannot be made to misbehave on demand (garbage, torn messages, replies out of order, hang-ups).
 * Behaviour against real QEMU is covered by the integration tests.
 */
final class ScriptedQmpPeer implements AutoCloseable {
    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
            + "\"package\": \"test\"}, \"capabilities\": [\"oob\"]}}";

    private final Path socket;
    private final ServerSocketChannel server;

    ScriptedQmpPeer(Path dir) throws IOException {
        socket = dir.resolve("qmp.sock");
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
    }

    Path socket() {
        return socket;
    }

    /** Waits for the client to connect. */
    Connection accept() throws IOException {
        return new Connection(server.accept());
    }

    /** Accepts, greets, and answers qmp_capabilities. */
    Connection acceptAndNegotiate() throws Exception {
        Connection c = accept();
        c.send(GREETING);
        JsonNode caps = c.readCommand();
        if (!"qmp_capabilities".equals(caps.path("execute").asText())) {
            throw new AssertionError("expected qmp_capabilities first, got " + caps);
        }
        c.reply(caps, "{}");
        return c;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }

    static final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);

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
                while (channel.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        byte b = buf.get();
                        if (b == '\n') {
                            lines.add(line.toString(StandardCharsets.UTF_8));
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

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
