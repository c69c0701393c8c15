package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.headroom.runtime.ThreadScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who writes a command: the caller itself while nothing can make it wait (nobody writing, nothing
 * queued, little unanswered), the writer's thread otherwise; against a real UNIX socket whose
 * peer this test plays.
 */
class QmpConnectionTest {
    private static final QmpConnection.Settings SETTINGS = new QmpConnection.Settings(Duration.ofSeconds(1),
            Duration.ofSeconds(5), 1 << 20, 64, 1 << 20);

    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private SocketChannel peer;
    private ThreadScheduler timer;
    private QmpConnection connection;

    @BeforeEach
    void connect() throws Exception {
        Path socket = dir.resolve("qmp.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        timer = ThreadScheduler.create("qmp-test-timer", 1, 16);
        connection = QmpConnection.open("test", socket, SETTINGS, timer, new QmpConnection.Handler() {
            @Override
            public void onMessage(QmpConnection c, QmpMessage message, int bytes) {
            }

            @Override
            public void onLost(QmpConnection c, String reason) {
            }
        });
        peer = server.accept();
        connection.start();
    }

    @AfterEach
    void close() throws IOException {
        connection.abort("the test ended");
        peer.close();
        server.close();
        timer.close();
        Files.deleteIfExists(dir.resolve("qmp.sock"));
    }

    /** A command that records the thread that wrote it. */
    private static final class Command implements QmpConnection.Outgoing {
        private final byte[] wire;
        final CompletableFuture<Thread> writtenBy = new CompletableFuture<>();

        Command(int n) {
            this(("{\"execute\":\"query-status\",\"id\":" + n + "}\n").getBytes(StandardCharsets.UTF_8));
        }

        Command(byte[] wire) {
            this.wire = wire;
        }

        @Override
        public byte[] wire() {
            return wire;
        }

        @Override
        public void written() {
            writtenBy.complete(Thread.currentThread());
        }
    }

    private Thread send(int n) throws Exception {
        Command c = new Command(n);
        connection.send(c);
        return c.writtenBy.get(5, TimeUnit.SECONDS);
    }

    private void answer(int n) throws IOException {
        ByteBuffer reply = ByteBuffer.wrap(("{\"return\":{},\"id\":" + n + "}\n").getBytes(StandardCharsets.UTF_8));
        while (reply.hasRemaining()) {
            peer.write(reply);
        }
    }

    @Test
    void anUncontendedCommandIsWrittenByItsCaller() throws Exception {
        assertThat(send(1)).isSameAs(Thread.currentThread());
    }

    @Test
    void whileQemuLeavesCommandsUnansweredTheWriterWritesThemAndAnAnswerGivesTheCallerItsTurnBack() throws Exception {
        for (int n = 0; n < QmpConnection.UNANSWERED_COMMANDS; n++) {
            assertThat(send(n)).as("command " + n).isSameAs(Thread.currentThread());
        }
        Thread next = send(100);
        assertThat(next).isNotSameAs(Thread.currentThread());
        assertThat(next.getName()).startsWith("qmp-writer-test");

        for (int n = 0; n <= QmpConnection.UNANSWERED_COMMANDS; n++) {
            answer(n);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (connection.unansweredCommands() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5); // the reader takes the answers in
        }
        assertThat(connection.unansweredCommands()).isZero();
        assertThat(send(200)).as("with everything answered, the caller writes again").isSameAs(Thread.currentThread());
    }

    @Test
    void anInterruptedCallerLeavesItsCommandToTheWriterAndTheConnectionOpen() throws Exception {
        Command first = new Command(1);
        Thread.currentThread().interrupt();
        try {
            connection.send(first);
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt is left to the caller").isTrue();
        }
        assertThat(first.writtenBy.get(5, TimeUnit.SECONDS).getName()).startsWith("qmp-writer-test");
        assertThat(send(2)).as("the connection lives on").isSameAs(Thread.currentThread());
    }

    @Test
    void aLargeCommandGoesThroughTheWriter() throws Exception {
        byte[] big = ("{\"execute\":\"x\",\"arguments\":{\"blob\":\"" + "y".repeat(QmpConnection.DIRECT_WRITE_BYTES)
                + "\"}}\n").getBytes(StandardCharsets.UTF_8);
        Command command = new Command(big);
        connection.send(command);
        assertThat(command.writtenBy.get(5, TimeUnit.SECONDS).getName()).startsWith("qmp-writer-test");
    }
}
