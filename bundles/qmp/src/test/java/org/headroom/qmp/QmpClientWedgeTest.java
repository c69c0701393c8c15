package org.headroom.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.headroom.runtime.ThreadScheduler;
import org.junit.jupiter.api.Test;

/** Each test reproduces one way a QMP client can wedge, against the scripted peer, and shows this one does not. */
class QmpClientWedgeTest extends ScriptedPeerTest {

    // ---- one reconnect attempt at a time, the backoff honoured -----------------------------

    /** 20 ms doubling to 400 ms: about 9 attempts in 2 s when paced, hundreds or more when not. */
    private List<ScriptedQmpPeer.Connection> attemptsIn2s(ScriptedQmpPeer.Script script) throws Exception {
        client = builder().connectTimeout(Duration.ofSeconds(1))
                .reconnect(Duration.ofMillis(20), Duration.ofMillis(400)).build();
        client.connectInBackground();
        return peer.serve(Duration.ofSeconds(2), script);
    }

    @Test
    void aPeerThatClosesRightAfterTheGreetingIsRetriedAtTheBackoffsPace() throws Exception {
        int attempts = attemptsIn2s(c -> {
            c.send(ScriptedQmpPeer.GREETING);
            c.close();
        }).size();
        assertThat(attempts).as("connection attempts in 2 s").isBetween(3, 12);
    }

    @Test
    void aPeerThatRefusesTheCapabilitiesIsRetriedAtTheBackoffsPace() throws Exception {
        int attempts = attemptsIn2s(c -> {
            c.send(ScriptedQmpPeer.GREETING);
            c.replyError(c.readCommand(), "GenericError", "no capabilities for you");
        }).size();
        assertThat(attempts).as("connection attempts in 2 s").isBetween(3, 12);
    }

    @Test
    void aPeerThatHangsUpRightAfterTheHandshakeIsPacedToo() throws Exception {
        int attempts = attemptsIn2s(c -> {
            ScriptedQmpPeer.negotiate(c);
            c.close();
        }).size();
        assertThat(attempts).as("connection attempts in 2 s: the backoff is reset only by a connection that lasted")
                .isBetween(3, 12);
    }

    // ---- the reader thread survives or reports any Throwable ------------------------------

    /** A node factory that runs out of memory on one string: an Error thrown on the reader's own path. */
    private static final class ExhaustedNodes extends JsonNodeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public TextNode textNode(String text) {
            if ("exhaust-the-heap".equals(text)) {
                throw new OutOfMemoryError("injected: Java heap space");
            }
            return super.textNode(text);
        }
    }

    @Test
    void anOutOfMemoryErrorInTheReaderMarksTheConnectionLostFailsCallsAndReconnects() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().reconnect(Duration.ofMillis(20), Duration.ofMillis(100)));
        CompletableFuture<JsonNode> pending = client.execute("query-status");
        c.readCommand();
        JsonNodeFactory normal = QmpJson.MAPPER.getNodeFactory();
        QmpJson.MAPPER.setNodeFactory(new ExhaustedNodes());
        try {
            c.event("SOMETHING", "{\"x\": \"exhaust-the-heap\"}");
            assertThat(cause(pending, Duration.ofSeconds(3))).isInstanceOf(QmpConnectionException.class)
                    .hasMessageContaining("OutOfMemoryError");
        } finally {
            QmpJson.MAPPER.setNodeFactory(normal);
        }
        assertThat(client.state()).isNotEqualTo(QmpClient.State.CONNECTED);
        ScriptedQmpPeer.Connection again = peer.acceptAndNegotiate();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.state() == QmpClient.State.CONNECTED);
        CompletableFuture<JsonNode> after = client.execute("query-status");
        again.reply(again.readCommand(), "{\"running\": true}");
        assertThat(after.get(5, TimeUnit.SECONDS).path("running").asBoolean()).isTrue();
    }

    // ---- the socket connect has a timeout --------------------------------------------------

    @Test
    void aListenerWithAFullBacklogBlocksNeitherConnectNorClose() throws Exception {
        try (ScriptedQmpPeer.FullListener full = new ScriptedQmpPeer.FullListener(dir)) {
            client = QmpClient.builder(full.socket()).name("full").connectTimeout(Duration.ofMillis(500)).build();
            CompletableFuture<Void> connecting = CompletableFuture.runAsync(client::connect);
            assertThat(cause(connecting, Duration.ofSeconds(2))).isInstanceOf(QmpConnectionException.class)
                    .hasMessageContaining("full.sock");
            CompletableFuture<Void> closing = CompletableFuture.runAsync(client::close);
            closing.get(1, TimeUnit.SECONDS);
            assertThat(client.state()).isEqualTo(QmpClient.State.CLOSED);
        }
    }

    @Test
    void closeDoesNotWaitForAConnectStuckOnAFullBacklog() throws Exception {
        try (ScriptedQmpPeer.FullListener full = new ScriptedQmpPeer.FullListener(dir)) {
            client = QmpClient.builder(full.socket()).name("full").connectTimeout(Duration.ofSeconds(30)).build();
            CompletableFuture<Void> connecting = CompletableFuture.runAsync(client::connect);
            Thread.sleep(200);
            CompletableFuture.runAsync(client::close).get(1, TimeUnit.SECONDS);
            assertThat(cause(connecting, Duration.ofSeconds(1))).isInstanceOf(QmpConnectionException.class);
        }
    }

    // ---- writes never block a caller or the reader without bound --------------------------

    @Test
    void aPeerThatStopsReadingNeverBlocksACallerAndItsCallsFailInTime() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().commandTimeout(Duration.ofMillis(500)));
        c.stopReading();
        String blob = "x".repeat(1 << 20);
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        CompletableFuture<Void> submitting = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 8; i++) {
                calls.add(client.execute("guest-file-write", Map.of("blob", blob)));
            }
        });
        submitting.get(1, TimeUnit.SECONDS);
        for (CompletableFuture<JsonNode> call : calls) {
            assertThat(cause(call, Duration.ofSeconds(2))).isInstanceOf(QmpException.class)
                    .hasMessageContaining("guest-file-write");
        }
        CompletableFuture.runAsync(client::close).get(1, TimeUnit.SECONDS);
    }

    @Test
    void aPeerThatStopsReadingNeverBlocksACallerOfManySmallCommands() throws Exception {
        // Small enough for a caller to write itself: the unanswered budget sends the rest to the queue.
        ScriptedQmpPeer.Connection c = connect(builder().commandTimeout(Duration.ofSeconds(30)));
        c.stopReading();
        String blob = "x".repeat(2048);
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        CompletableFuture<Void> submitting = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 2000; i++) {
                calls.add(client.execute("guest-file-write", Map.of("blob", blob)));
            }
        });
        submitting.get(2, TimeUnit.SECONDS);
        CompletableFuture.runAsync(client::close).get(1, TimeUnit.SECONDS);
        for (CompletableFuture<JsonNode> call : calls) {
            assertThat(cause(call, Duration.ofSeconds(1))).isInstanceOf(QmpException.class);
        }
    }

    @Test
    void aWriteThatMakesNoProgressEndsTheConnection() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().commandTimeout(Duration.ofSeconds(30))
                .writeTimeout(Duration.ofMillis(300)));
        c.stopReading();
        String blob = "x".repeat(1 << 20);
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(client.execute("guest-file-write", Map.of("blob", blob)));
        }
        for (CompletableFuture<JsonNode> call : calls) {
            assertThat(cause(call, Duration.ofSeconds(2))).isInstanceOf(QmpConnectionException.class)
                    .hasMessageContaining("lost").hasMessageContaining("no progress within 300 ms");
        }
        assertThat(client.state()).isEqualTo(QmpClient.State.DISCONNECTED);
    }

    @Test
    void aFullWriteQueueRefusesACallAtOnceAndCloseFreesEveryWaiter() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().commandTimeout(Duration.ofSeconds(30))
                .writeTimeout(Duration.ofSeconds(30)).maxQueuedBytes((3L << 20) + 4096));
        c.stopReading();
        String blob = "x".repeat(1 << 20);
        List<CompletableFuture<JsonNode>> written = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            written.add(client.execute("guest-file-write", Map.of("blob", blob)));
        }
        long start = System.nanoTime();
        CompletableFuture<JsonNode> refused = client.execute("guest-file-write", Map.of("blob", blob));
        assertThat(cause(refused, Duration.ofMillis(100))).isInstanceOf(QmpException.class)
                .hasMessageContaining("QEMU is not reading its socket");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
        // Small calls still take the free slots, and more wait behind the window.
        List<CompletableFuture<JsonNode>> small = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            small.add(client.execute("query-status"));
        }
        assertThat(client.stats().queued()).isPositive();
        CompletableFuture.runAsync(client::close).get(1, TimeUnit.SECONDS);
        for (CompletableFuture<JsonNode> call : written) {
            assertThat(cause(call, Duration.ofMillis(500))).isInstanceOf(QmpConnectionException.class).hasMessageContaining("closed");
        }
        for (CompletableFuture<JsonNode> call : small) {
            assertThat(cause(call, Duration.ofMillis(500))).isInstanceOf(QmpConnectionException.class).hasMessageContaining("closed");
        }
    }

    // ---- a reply that cannot be matched never keeps an in-flight slot ---------------------

    @Test
    void eightUnmatchableRepliesFailTheirCallsAndFreeTheirSlots() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().maxMessageBytes(4096));
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        List<JsonNode> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(client.execute("query-block"));
        }
        for (int i = 0; i < 8; i++) {
            sent.add(c.readCommand());
        }
        String big = "x".repeat(5000);
        // An oversized reply naming call 1 in its tail, sent before call 0's good reply: the id wins over the order.
        c.send("{\"return\": \"" + big + "\", \"id\": " + sent.get(1).get("id") + "}");
        c.reply(sent.get(0), "[]");
        // Lines that show an event in their head are events, not replies: they take no slot.
        c.send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"HUGE\", \"data\": \"" + big + "\"}");
        c.send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"BROKEN\", \"data\": nope}");
        c.send("{\"return\": \"" + big + "\"}");                                   // oversized, no id: call 2
        c.send("{\"return\": {\"x\": nope}, \"id\": " + sent.get(3).get("id") + "}"); // unparsable, id in the tail
        c.send("{\"return\": [1, 2");                                               // unparsable, no id: call 4
        c.send("{\"return\": {}, \"id\": 5}");                                      // an id of another type: call 5
        c.send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword\"}}"); // call 6
        c.send("{\"return\": {}, \"id\": \"nobody\"}");                             // an id of no call: call 7

        assertThat(calls.get(0).get(5, TimeUnit.SECONDS).isArray()).isTrue();
        assertThat(cause(calls.get(1), Duration.ofSeconds(3))).isInstanceOf(QmpException.class).hasMessageContaining("4096");
        assertThat(cause(calls.get(2), Duration.ofSeconds(3))).isInstanceOf(QmpException.class).hasMessageContaining("4096");
        assertThat(cause(calls.get(3), Duration.ofSeconds(3))).isInstanceOf(QmpException.class).hasMessageContaining("not JSON");
        assertThat(cause(calls.get(4), Duration.ofSeconds(3))).isInstanceOf(QmpException.class).hasMessageContaining("not JSON");
        assertThat(cause(calls.get(5), Duration.ofSeconds(3))).isInstanceOf(QmpException.class).hasMessageContaining("id 5");
        assertThat(cause(calls.get(6), Duration.ofSeconds(3))).isInstanceOf(QmpError.class)
                .hasMessageContaining("JSON parse error");
        assertThat(cause(calls.get(7), Duration.ofSeconds(3))).isInstanceOf(QmpException.class)
                .hasMessageContaining("\"nobody\"");

        CompletableFuture<JsonNode> next = client.execute("query-status");
        c.reply(c.readCommand(), "{\"running\": true}");
        assertThat(next.get(5, TimeUnit.SECONDS).path("running").asBoolean()).isTrue();
        assertThat(client.stats().inFlight()).isZero();
    }

    // ---- messages up to the documented maximum are read, larger ones reported -------------

    @Test
    void anOversizedReplyGivesItsCallerAnErrorNamingTheLimit() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().maxMessageBytes(1024));
        CompletableFuture<JsonNode> call = client.execute("query-named-block-nodes");
        c.reply(c.readCommand(), "\"" + "y".repeat(5000) + "\"");
        assertThat(cause(call, Duration.ofSeconds(3))).isInstanceOf(QmpException.class)
                .hasMessageContaining("query-named-block-nodes").hasMessageContaining("1024 bytes");
    }

    @Test
    void aReplyWithA25MegabyteStringIsReadUnderThe64MiBLimit() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        CompletableFuture<JsonNode> call = client.execute("human-monitor-command");
        c.reply(c.readCommand(), "\"" + "z".repeat(25_000_000) + "\"");
        assertThat(call.get(10, TimeUnit.SECONDS).asText()).hasSize(25_000_000);
    }

    // ---- event queues are bounded in bytes as well as in count ----------------------------

    @Test
    void aSlowSubscribersQueueIsBoundedInBytesAndAnEventLargerThanTheBoundIsDropped() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().eventQueueCapacity(1000).eventQueueBytes(1000));
        SlowSubscriber slow = new SlowSubscriber();
        client.subscribe(slow);
        // Each event is about 100 bytes on the wire: 1000 bytes hold 9 of them, not the 1000 the count allows.
        for (int i = 0; i < 50; i++) {
            c.event("TICK", "{\"n\": " + i + "}");
        }
        c.event("HUGE", "{\"n\": -1, \"pad\": \"" + "p".repeat(2000) + "\"}");
        c.event("TICK", "{\"n\": 50}");
        await().atMost(Duration.ofSeconds(5)).until(() -> client.stats().events() == 52);
        slow.release();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.delivered.contains(50));
        assertThat(slow.delivered).doesNotContain(-1).hasSizeLessThanOrEqualTo(11).endsWith(48, 49, 50);
        assertThat(slow.dropped.get()).isEqualTo(52 - slow.delivered.size());
    }

    @Test
    void anUnreadableEventTellsSubscribersTheyMissedOne() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        AtomicLong dropped = new AtomicLong();
        client.subscribe(new QmpEventListener() {
            @Override
            public void onEvent(QmpEvent event) {
            }

            @Override
            public void onEventsDropped(long count) {
                dropped.addAndGet(count);
            }
        });
        c.send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"BLOCK_IO_ERROR\", \"data\": nope}");
        await().atMost(Duration.ofSeconds(5)).until(() -> dropped.get() == 1);
        assertThat(client.stats().garbage()).isEqualTo(1);
        assertThat(client.stats().inFlight()).isZero();
    }

    // ---- the timer and the dispatcher are shared by all clients ---------------------------

    @Test
    void twoClientsRunOnTheSameTimerAndDispatcherThreads() throws Exception {
        try (ThreadScheduler timer = ThreadScheduler.create("shared-timer", 1, 1024);
             ThreadScheduler dispatcher = ThreadScheduler.create("shared-events", 2, 1024);
             ScriptedQmpPeer otherPeer = new ScriptedQmpPeer(dir, "other.sock")) {
            List<String> threads = new CopyOnWriteArrayList<>();
            List<QmpClient> clients = new ArrayList<>();
            List<ScriptedQmpPeer.Connection> peers = new ArrayList<>();
            for (ScriptedQmpPeer p : List.of(peer, otherPeer)) {
                QmpClient each = QmpClient.builder(p.socket()).name("vm-" + clients.size()).timer(timer).dispatcher(dispatcher)
                        .commandTimeout(Duration.ofMillis(200)).build();
                clients.add(each);
                each.subscribe(e -> threads.add("event on " + Thread.currentThread().getName()));
                CompletableFuture<Void> connecting = CompletableFuture.runAsync(each::connect);
                peers.add(p.acceptAndNegotiate());
                connecting.get(5, TimeUnit.SECONDS);
            }
            try {
                for (int i = 0; i < 2; i++) {
                    peers.get(i).event("TICK", null);
                    CompletableFuture<JsonNode> unanswered = clients.get(i).execute("query-status");
                    assertThat(cause(unanswered.whenComplete((v, e) -> threads.add("timeout on " + Thread.currentThread().getName())),
                            Duration.ofSeconds(2))).isInstanceOf(QmpTimeoutException.class);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> threads.size() == 4);
                assertThat(threads).allMatch(t -> t.matches("(event|timeout) on shared-events-\\d+"));
                assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                        .noneMatch(n -> n.startsWith("qmp-timer-vm-") || n.startsWith("qmp-events-vm-"));
            } finally {
                clients.forEach(QmpClient::close);
            }
            assertThat(timer.isClosed()).as("a client does not close threads it was given").isFalse();
        }
    }
}
