package org.headroom.migrate.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.headroom.runtime.ThreadScheduler;

/**
 * Calls to the other agents of the pool: the JDK's HTTP client over {@link PoolTls}, every call
 * with a timeout, the connect too. A peer is reached at its URL from the configuration, and must
 * show the pool's certificate issued to the name it is called by.
 */
final class AgentClient implements AutoCloseable {
    private final Map<String, URI> peers;
    private final HttpClient http;
    private final ThreadScheduler threads;

    AgentClient(PoolTls tls, Map<String, URI> peers, Duration connectTimeout) {
        this.peers = Map.copyOf(peers);
        this.threads = ThreadScheduler.create("migrate-client", 2, 256);
        this.http = HttpClient.newBuilder()
                .sslContext(tls.context())
                .connectTimeout(connectTimeout)
                .executor(threads)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    boolean knows(String host) {
        return peers.containsKey(host);
    }

    java.util.Set<String> peers() {
        return peers.keySet();
    }

    /** POSTs {@code body} to {@code path} of {@code host}; completes with its reply, or fails with {@link AgentCallException}. */
    <T> CompletableFuture<T> call(String host, String path, Object body, Class<T> reply, Duration timeout) {
        URI base = peers.get(host);
        if (base == null) {
            return CompletableFuture.failedFuture(new AgentCallException(host + " is not a peer of this agent (peers: "
                    + peers.keySet() + ")"));
        }
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(AgentProtocol.encode(body)))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable c = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        throw new AgentCallException(host + " " + path + ": " + c, c);
                    }
                    String shown = shownName(response);
                    if (!host.equals(shown)) {
                        throw new AgentCallException(host + " " + path + ": the agent at " + base + " is " + shown + ", not " + host);
                    }
                    if (response.statusCode() != 200) {
                        String why;
                        try {
                            why = AgentProtocol.reply(response.body(), AgentProtocol.ErrorReply.class).error();
                        } catch (MalformedRequestException e) {
                            why = "HTTP " + response.statusCode();
                        }
                        throw new AgentCallException(host + " " + path + ": " + why);
                    }
                    try {
                        return AgentProtocol.reply(response.body(), reply);
                    } catch (MalformedRequestException e) {
                        throw new AgentCallException(host + " " + path + ": " + e.getMessage());
                    }
                });
    }

    private static String shownName(HttpResponse<?> response) {
        try {
            return response.sslSession().map(s -> {
                try {
                    return PoolTls.commonName(s.getPeerPrincipal());
                } catch (SSLPeerUnverifiedException e) {
                    return "unverified";
                }
            }).orElse("not TLS");
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        threads.close();
    }
}
