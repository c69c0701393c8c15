package org.headroom.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A client against the {@link ScriptedQmpPeer}: what each such test sets up, and ends whatever happened. */
abstract class ScriptedPeerTest {
    @TempDir
    Path dir;

    ScriptedQmpPeer peer;
    QmpClient client;

    @BeforeEach
    void listen() throws Exception {
        peer = new ScriptedQmpPeer(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        peer.close();
    }

    QmpClient.Builder builder() {
        return QmpClient.builder(peer.socket()).name("test").commandTimeout(Duration.ofSeconds(5));
    }

    /** Builds the client, connects it and plays QEMU's side of the handshake. */
    ScriptedQmpPeer.Connection connect(QmpClient.Builder builder) throws Exception {
        client = builder.build();
        CompletableFuture<Void> connecting = CompletableFuture.runAsync(client::connect);
        ScriptedQmpPeer.Connection c = peer.acceptAndNegotiate();
        connecting.get(5, TimeUnit.SECONDS);
        assertThat(client.state()).isEqualTo(QmpClient.State.CONNECTED);
        return c;
    }

    static Throwable cause(CompletableFuture<?> f) {
        return cause(f, Duration.ofSeconds(5));
    }

    /** Why {@code f} failed, which it must within {@code within}. */
    static Throwable cause(CompletableFuture<?> f, Duration within) {
        try {
            f.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("future did not fail within " + within + ": " + e);
        }
        throw new AssertionError("future succeeded but was expected to fail");
    }
}
