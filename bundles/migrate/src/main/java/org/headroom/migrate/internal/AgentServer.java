package org.headroom.migrate.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.headroom.runtime.ThreadScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents' endpoint: the JDK's HTTPS server with mutual TLS over {@link PoolTls}. A caller
 * without a certificate gets 403; one whose certificate the pool's CA did not issue does not get
 * past the handshake; both are counted. Each call is a POST of a JSON body, bounded in size,
 * handled by its {@link Route} on a small pool of named threads with a bounded queue.
 */
final class AgentServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
    private static final int THREADS = 4;
    private static final int QUEUE = 64;

    /** One call: the caller's name (its certificate's CN) and the body; returns the reply to encode. */
    @FunctionalInterface
    interface Route {
        Object handle(String caller, byte[] body) throws Exception;
    }

    /** A call that cannot be done here now (an unknown migration, a VM not waiting): answered 409. */
    static final class Conflict extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Conflict(String message) {
            super(message);
        }
    }

    private final HttpsServer server;
    private final ThreadScheduler threads;
    private final PoolTls tls;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong refusedNoCert = new AtomicLong();
    private final AtomicLong badRequests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    AgentServer(InetSocketAddress address, PoolTls tls, Map<String, Route> routes) throws IOException {
        this.tls = tls;
        this.server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.context()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = tls.context().getDefaultSSLParameters();
                // Wanted, not needed: a caller without a certificate reaches the handler, which
                // refuses and counts it; an untrusted certificate fails the handshake (counted by PoolTls).
                ssl.setWantClientAuth(true);
                params.setSSLParameters(ssl);
            }
        });
        threads = ThreadScheduler.create("migrate-endpoint", THREADS, QUEUE);
        server.setExecutor(threads);
        routes.forEach((path, route) -> server.createContext(path, exchange -> serve(exchange, route)));
        if (!routes.containsKey("/")) {
            // Any other path: answered "no such call" (by serve, which finds it is not a route) and counted.
            server.createContext("/", exchange -> serve(exchange, (caller, body) -> null));
        }
        server.start();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    long served() {
        return served.get();
    }

    long refusedNoCert() {
        return refusedNoCert.get();
    }

    long badRequests() {
        return badRequests.get();
    }

    long failures() {
        return failures.get();
    }

    long refusedUntrusted() {
        return tls.refusedUntrusted();
    }

    private void serve(HttpExchange exchange, Route route) {
        try (exchange) {
            String caller;
            try {
                caller = PoolTls.commonName(((HttpsExchange) exchange).getSSLSession().getPeerPrincipal());
            } catch (SSLPeerUnverifiedException e) {
                refusedNoCert.incrementAndGet();
                LOG.warn("agents' endpoint: {} called {} without a certificate: refused", exchange.getRemoteAddress(),
                        exchange.getRequestURI());
                reply(exchange, 403, new AgentProtocol.ErrorReply("only agents of the pool may call: show the pool's certificate"));
                return;
            }
            if (!exchange.getRequestMethod().equals("POST") || !route(exchange)) {
                badRequests.incrementAndGet();
                reply(exchange, 404, new AgentProtocol.ErrorReply("no such call: " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath()));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(AgentProtocol.MAX_BODY_BYTES + 1);
            }
            try {
                Object answer = route.handle(caller, body);
                served.incrementAndGet();
                reply(exchange, 200, answer);
            } catch (MalformedRequestException e) {
                badRequests.incrementAndGet();
                LOG.warn("agents' endpoint: malformed {} from {}: {}", exchange.getRequestURI().getPath(), caller, e.getMessage());
                reply(exchange, 400, new AgentProtocol.ErrorReply(e.getMessage()));
            } catch (Conflict e) {
                failures.incrementAndGet();
                LOG.warn("agents' endpoint: {} from {} refused: {}", exchange.getRequestURI().getPath(), caller, e.getMessage());
                reply(exchange, 409, new AgentProtocol.ErrorReply(e.getMessage()));
            } catch (Exception e) {
                failures.incrementAndGet();
                LOG.warn("agents' endpoint: {} from {} failed: {}", exchange.getRequestURI().getPath(), caller, e.toString());
                reply(exchange, 500, new AgentProtocol.ErrorReply(String.valueOf(e.getMessage())));
            }
        } catch (Throwable t) {
            // The server's own thread must live on: any failure is this call's alone.
            failures.incrementAndGet();
            LOG.error("agents' endpoint: serving {} failed", exchange.getRequestURI(), t);
        }
    }

    /** Whether the path is the context's own (the server matches contexts by prefix). */
    private static boolean route(HttpExchange exchange) {
        String context = exchange.getHttpContext().getPath();
        return !context.equals("/") && exchange.getRequestURI().getPath().equals(context);
    }

    private static void reply(HttpExchange exchange, int code, Object body) throws IOException {
        byte[] bytes = AgentProtocol.encode(body == null ? Map.of() : body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.close();
    }
}
