package org.headroom.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.headroom.qmp.events.BlockWriteThreshold;
import org.headroom.qmp.types.StatusInfo;
import org.junit.jupiter.api.Test;

class QmpClientTest extends ScriptedPeerTest {

    @Test
    void negotiatesOobWhenOfferedAndMatchesReplyById() throws Exception {
        client = builder().build();
        CompletableFuture<Void> connecting = CompletableFuture.runAsync(client::connect);
        ScriptedQmpPeer.Connection c = peer.accept();
        c.send(ScriptedQmpPeer.GREETING);
        JsonNode caps = c.readCommand();
        assertThat(caps.path("arguments").path("enable").get(0).asText()).isEqualTo("oob");
        c.reply(caps, "{}");
        connecting.get(5, TimeUnit.SECONDS);
        assertThat(client.oob()).isTrue();

        CompletableFuture<StatusInfo> status = new Qmp(client).queryStatus();
        JsonNode cmd = c.readCommand();
        assertThat(cmd.path("execute").asText()).isEqualTo("query-status");
        c.reply(cmd, "{\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}");
        assertThat(status.get(5, TimeUnit.SECONDS)).isEqualTo(new StatusInfo(false, "prelaunch"));
    }

    @Test
    void eventsBeforeTheGreetingAndBetweenCommandAndReplyAreDelivered() throws Exception {
        client = builder().build();
        List<String> seen = new CopyOnWriteArrayList<>();
        client.subscribe(e -> seen.add(e.name()));
        CompletableFuture<Void> connecting = CompletableFuture.runAsync(client::connect);
        ScriptedQmpPeer.Connection c = peer.accept();
        c.event("EARLY", null);
        c.send(ScriptedQmpPeer.GREETING);
        JsonNode caps = c.readCommand();
        c.event("DURING_HANDSHAKE", "{}");
        c.reply(caps, "{}");
        connecting.get(5, TimeUnit.SECONDS);

        CompletableFuture<JsonNode> reply = client.execute("query-version");
        JsonNode cmd = c.readCommand();
        c.event("BETWEEN", "{\"x\": 1}");
        c.reply(cmd, "{\"qemu\": {\"major\": 7}}");
        assertThat(reply.get(5, TimeUnit.SECONDS).path("qemu").path("major").asInt()).isEqualTo(7);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
        assertThat(seen).containsExactly("EARLY", "DURING_HANDSHAKE", "BETWEEN");
    }

    @Test
    void repliesOutOfOrderReachTheirOwnCalls() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        CompletableFuture<JsonNode> slow = client.execute("query-block");
        CompletableFuture<JsonNode> oob = client.executeOob("x-oob-test", null);
        JsonNode first = c.readCommand();
        JsonNode second = c.readCommand();
        assertThat(second.has("exec-oob")).isTrue();
        c.reply(second, "\"oob\"");
        assertThat(oob.get(5, TimeUnit.SECONDS).asText()).isEqualTo("oob");
        assertThat(slow).isNotDone();
        c.reply(first, "\"in-band\"");
        assertThat(slow.get(5, TimeUnit.SECONDS).asText()).isEqualTo("in-band");
    }

    @Test
    void garbageAndTornMessagesAreSkippedAndCounted() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        List<QmpEvent> events = new CopyOnWriteArrayList<>();
        client.subscribe(events::add);
        // With no command in flight, nothing can be a reply: counted and skipped.
        c.send("this is not json");
        c.send("[1, 2, 3]");
        c.send("\u0001\u0002\u0003");
        await().atMost(Duration.ofSeconds(5)).until(() -> client.stats().garbage() == 3);
        CompletableFuture<JsonNode> reply = client.execute("query-status");
        JsonNode cmd = c.readCommand();
        // An object of no known shape and without id answers nothing, even with a command waiting.
        c.send("{\"neither\": \"reply nor event\"}");
        // One reply and one event torn into many small writes.
        String whole = "{\"return\": {\"running\": true, \"status\": \"running\"}, \"id\": " + cmd.get("id") + "}\r\n"
                + "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n";
        for (int i = 0; i < whole.length(); i += 7) {
            c.sendRaw(whole.substring(i, Math.min(whole.length(), i + 7)));
        }
        assertThat(reply.get(5, TimeUnit.SECONDS).path("status").asText()).isEqualTo("running");
        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
        assertThat(events.get(0).name()).isEqualTo("RESUME");
        assertThat(events.get(0).timestampMicros()).isEqualTo(1_000_002L);
        assertThat(client.stats().garbage()).isEqualTo(4);
        assertThat(client.state()).isEqualTo(QmpClient.State.CONNECTED);
    }

    @Test
    void anOversizedEventIsDroppedAndTheStreamResynchronizes() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().maxMessageBytes(1024));
        CompletableFuture<JsonNode> reply = client.execute("query-status");
        JsonNode cmd = c.readCommand();
        c.send("{\"event\": \"HUGE\", \"data\": \"" + "x".repeat(5000) + "\"}");
        c.reply(cmd, "{\"running\": true, \"status\": \"running\"}");
        assertThat(reply.get(5, TimeUnit.SECONDS).path("running").asBoolean()).isTrue();
        assertThat(client.stats().garbage()).isEqualTo(1);
    }

    @Test
    void errorRepliesCarryClassAndDescription() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        CompletableFuture<Void> armed = new Qmp(client).blockSetWriteThreshold("nope", 1 << 20);
        JsonNode cmd = c.readCommand();
        assertThat(cmd.path("arguments").path("node-name").asText()).isEqualTo("nope");
        assertThat(cmd.path("arguments").path("write-threshold").asLong()).isEqualTo(1 << 20);
        c.replyError(cmd, "GenericError", "Device 'nope' not found");
        Throwable error = cause(armed);
        assertThat(error).isInstanceOf(QmpError.class);
        assertThat(((QmpError) error).errorClass()).isEqualTo("GenericError");
        assertThat(((QmpError) error).description()).isEqualTo("Device 'nope' not found");
        assertThat(error).hasMessageContaining("block-set-write-threshold");
    }

    @Test
    void aPeerThatClosesMidReplyFailsEveryPendingCallAtOnce() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().commandTimeout(Duration.ofSeconds(30)));
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(client.execute("query-status"));
        }
        JsonNode cmd = c.readCommand();
        c.sendRaw("{\"return\": {\"running\": tr");
        long start = System.nanoTime();
        c.close();
        for (CompletableFuture<JsonNode> call : calls) {
            assertThat(cause(call)).isInstanceOf(QmpConnectionException.class).hasMessageContaining("lost");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(cmd).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.state() == QmpClient.State.DISCONNECTED);
        assertThat(cause(client.execute("query-status"))).isInstanceOf(QmpConnectionException.class)
                .hasMessageContaining("not connected");
    }

    @Test
    void atMostEightInBandCommandsAreOnTheWire() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(client.execute("query-status"));
        }
        List<JsonNode> onWire = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            onWire.add(c.readCommand());
        }
        assertThat(c.pollCommand(200)).as("a ninth command before any reply").isNull();
        assertThat(client.stats().inFlight()).isEqualTo(8);
        assertThat(client.stats().queued()).isEqualTo(4);
        c.reply(onWire.get(3), "{}");
        JsonNode ninth = c.readCommand();
        // qmp_capabilities was hr-1; the twelve calls are hr-2..hr-13, of which hr-2..hr-9 went first.
        assertThat(ninth.path("id").asText()).isEqualTo("hr-10");
        assertThat(calls.get(3).get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void callsBeyondTheQueueAreRefusedAtOnce() throws Exception {
        connect(builder().maxQueued(2));
        for (int i = 0; i < 10; i++) {
            client.execute("query-status");
        }
        CompletableFuture<JsonNode> refused = client.execute("query-status");
        assertThat(cause(refused)).isInstanceOf(QmpException.class).hasMessageContaining("already queued");
    }

    @Test
    void aCommandWithoutReplyTimesOutAndItsLateReplyIsCounted() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        CompletableFuture<JsonNode> call = client.execute("query-status", null, Duration.ofMillis(200));
        JsonNode cmd = c.readCommand();
        assertThat(cause(call)).isInstanceOf(QmpTimeoutException.class).hasMessageContaining("query-status");
        c.reply(cmd, "{}");
        await().atMost(Duration.ofSeconds(5)).until(() -> client.stats().lateReplies() == 1);
        assertThat(client.stats().timeouts()).isEqualTo(1);
        assertThat(client.stats().inFlight()).isZero();
    }

    @Test
    void aSlowSubscriberLosesItsOldestEventsButNeverHoldsUpReplies() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().eventQueueCapacity(10));
        SlowSubscriber slow = new SlowSubscriber();
        client.subscribe(slow);
        List<Integer> delivered = slow.delivered;
        AtomicLong dropped = slow.dropped;
        List<Integer> fast = new CopyOnWriteArrayList<>();
        client.subscribe(e -> fast.add(e.data().path("n").asInt()));

        for (int i = 0; i < 100; i++) {
            c.event("TICK", "{\"n\": " + i + "}");
        }
        CompletableFuture<JsonNode> reply = client.execute("query-status");
        c.reply(c.readCommand(), "{\"running\": true}");
        assertThat(reply.get(5, TimeUnit.SECONDS).path("running").asBoolean()).isTrue();
        // Another subscriber is not held up by the blocked one: it gets the newest event.
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.contains(99));

        slow.release();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(delivered.size() + dropped.get()).as("delivered %s dropped %s", delivered, dropped).isEqualTo(100));
        // The first event was taken by the listener before it blocked; the queue then kept the newest.
        assertThat(delivered).endsWith(90, 91, 92, 93, 94, 95, 96, 97, 98, 99);
        assertThat(dropped.get()).isEqualTo(100 - delivered.size()).isPositive();
        assertThat(client.stats().droppedEvents()).as("counts every subscriber's drops").isGreaterThanOrEqualTo(dropped.get());
    }

    @Test
    void typedSubscriptionsSeeOnlyTheirEvent() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        List<BlockWriteThreshold> thresholds = new CopyOnWriteArrayList<>();
        client.on(BlockWriteThreshold.class, thresholds::add);
        c.event("STOP", null);
        c.event("BLOCK_WRITE_THRESHOLD",
                "{\"node-name\": \"f0\", \"write-threshold\": 2097152, \"amount-exceeded\": 2424832, \"future-key\": 1}");
        await().atMost(Duration.ofSeconds(5)).until(() -> thresholds.size() == 1);
        assertThat(thresholds.get(0)).isEqualTo(new BlockWriteThreshold("f0", 2424832, 2097152));
    }

    @Test
    void reconnectsAfterTheSocketIsLostAndTellsSubscribers() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder().reconnect(Duration.ofMillis(20), Duration.ofMillis(100)));
        List<QmpClient.State> states = new CopyOnWriteArrayList<>();
        client.subscribe(new QmpEventListener() {
            @Override
            public void onEvent(QmpEvent event) {
            }

            @Override
            public void onConnectionState(QmpClient.State state) {
                states.add(state);
            }
        });
        c.close();
        ScriptedQmpPeer.Connection again = peer.acceptAndNegotiate();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.state() == QmpClient.State.CONNECTED);
        CompletableFuture<JsonNode> reply = client.execute("query-status");
        again.reply(again.readCommand(), "{\"running\": false}");
        assertThat(reply.get(5, TimeUnit.SECONDS).path("running").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> states.size() == 2);
        assertThat(states).containsExactly(QmpClient.State.DISCONNECTED, QmpClient.State.CONNECTED);
        assertThat(client.stats().connects()).isEqualTo(2);
    }

    @Test
    void connectFailsClearlyWhenNothingListens() throws Exception {
        peer.close();
        client = QmpClient.builder(dir.resolve("absent.sock")).name("absent").build();
        assertThatThrownBy(client::connect).isInstanceOf(QmpConnectionException.class)
                .hasMessageContaining("absent.sock");
        assertThat(client.state()).isEqualTo(QmpClient.State.DISCONNECTED);
    }

    @Test
    void aPeerThatNeverGreetsTimesOutTheConnect() throws Exception {
        client = builder().connectTimeout(Duration.ofMillis(300)).build();
        CompletableFuture<Void> connecting = CompletableFuture.runAsync(client::connect);
        try (ScriptedQmpPeer.Connection silent = peer.accept()) {
            assertThat(cause(connecting)).isInstanceOf(QmpConnectionException.class).hasMessageContaining("handshake");
        }
    }

    @Test
    void closingFailsPendingCalls() throws Exception {
        ScriptedQmpPeer.Connection c = connect(builder());
        CompletableFuture<JsonNode> call = client.execute("query-status");
        c.readCommand();
        client.close();
        assertThat(cause(call)).isInstanceOf(QmpConnectionException.class).hasMessageContaining("closed");
        assertThat(client.state()).isEqualTo(QmpClient.State.CLOSED);
    }
}
