package org.headroom.migrate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.headroom.testing.PoolPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agents' endpoint over real TLS on a loopback port: a pool member is served and named by its
 * certificate; a caller without a certificate and one whose certificate another CA issued are
 * refused, and counted.
 */
class AgentServerTest {
    @TempDir
    static Path dir;
    static PoolPki pool;
    static PoolPki stranger;

    private AgentServer server;
    private AgentClient client;

    @BeforeAll
    static void pki() throws Exception {
        pool = PoolPki.create(dir.resolve("pool"), "host1", "host2");
        // The same name, issued by a CA the pool never trusted (the same password: only the CA differs).
        Files.createDirectories(dir.resolve("stranger"));
        Files.copy(pool.passwordFile(), dir.resolve("stranger/password"));
        stranger = PoolPki.create(dir.resolve("stranger"), "host2");
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static PoolTls tls(PoolPki pki, String host) {
        return PoolTls.load(pki.keystore(host), pki.truststore(), pki.password().toCharArray());
    }

    private URI start() throws Exception {
        server = new AgentServer(new InetSocketAddress("127.0.0.1", 0), tls(pool, "host1"), Map.of(
                "/v1/echo", (caller, body) -> Map.of("caller", caller, "bytes", body.length),
                "/v1/strict", (caller, body) -> AgentProtocol.migration(body)));
        return URI.create("https://127.0.0.1:" + server.address().getPort() + "/");
    }

    record Echo(String caller, int bytes) {
    }

    @Test
    void aPoolMemberIsServedAndKnownByItsCertificatesName() throws Exception {
        URI url = start();
        client = new AgentClient(tls(pool, "host2"), Map.of("host1", url), Duration.ofSeconds(5));
        Echo echo = client.call("host1", "/v1/echo", Map.of("hello", "there"), Echo.class, Duration.ofSeconds(5)).get();
        assertThat(echo.caller()).isEqualTo("host2");
        assertThat(echo.bytes()).isEqualTo("{\"hello\":\"there\"}".length());
        assertThat(server.served()).isEqualTo(1);
        assertThat(server.refusedNoCert() + server.refusedUntrusted()).isZero();
    }

    @Test
    void aCallerWithoutACertificateIsRefusedAndCounted() throws Exception {
        URI url = start();
        HttpClient anonymous = HttpClient.newBuilder().sslContext(pool.clientContext(null, pool)).build();
        HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(url.resolve("/v1/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("only agents of the pool");
        assertThat(server.refusedNoCert()).isEqualTo(1);
        assertThat(server.served()).isZero();
    }

    @Test
    void aCertificateOfAnotherCaDoesNotGetPastTheHandshakeAndIsCounted() throws Exception {
        URI url = start();
        // The stranger trusts the pool's CA (its certificate is no secret) and shows its own.
        HttpClient impostor = HttpClient.newBuilder().sslContext(stranger.clientContext("host2", pool)).build();
        assertThatThrownBy(() -> impostor.send(HttpRequest.newBuilder(url.resolve("/v1/echo"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);
        assertThat(server.refusedUntrusted()).isEqualTo(1);
        assertThat(server.served()).isZero();
    }

    @Test
    void anAgentAtTheWrongAddressIsNotTakenForThePeerCalled() throws Exception {
        URI url = start();
        client = new AgentClient(tls(pool, "host1"), Map.of("host2", url), Duration.ofSeconds(5));
        assertThatThrownBy(() -> client.call("host2", "/v1/echo", Map.of(), Echo.class, Duration.ofSeconds(5)).get())
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("is host1, not host2");
    }

    @Test
    void aMalformedCallIsAnsweredWhatIsWrongAndCounted() throws Exception {
        URI url = start();
        client = new AgentClient(tls(pool, "host2"), Map.of("host1", url), Duration.ofSeconds(5));
        assertThatThrownBy(() -> client.call("host1", "/v1/strict", Map.of("migration", "../etc"), Echo.class,
                Duration.ofSeconds(5)).get())
                .hasMessageContaining("migration: not a migration id");
        assertThatThrownBy(() -> client.call("host1", "/v1/nothing", Map.of(), Echo.class, Duration.ofSeconds(5)).get())
                .hasMessageContaining("no such call");
        assertThat(server.badRequests()).isEqualTo(2);
    }

    @Test
    void anUnreachablePeerFailsWithinTheConnectTimeout() throws Exception {
        client = new AgentClient(tls(pool, "host2"), Map.of("host1", URI.create("https://127.0.0.1:1/")), Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.call("host1", "/v1/echo", Map.of(), Echo.class, Duration.ofSeconds(3)).get())
                .hasMessageContaining("host1 /v1/echo");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.call("host9", "/v1/echo", Map.of(), Echo.class, Duration.ofSeconds(3)).get())
                .hasMessageContaining("host9 is not a peer");
    }

    @Test
    void aKeyStoreTheCaDidNotIssueIsRefusedAtLoad() {
        assertThatThrownBy(() -> PoolTls.load(stranger.keystore("host2"), pool.truststore(), pool.password().toCharArray()))
                .hasMessageContaining("is not issued by the pool's CA")
                .isInstanceOf(IllegalStateException.class);
    }
}
