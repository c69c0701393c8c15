package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.headroom.qmp.QmpConnectionException;
import org.headroom.qmp.QmpError;
import org.headroom.qmp.QmpException;
import org.headroom.qmp.QmpJson;
import org.headroom.qmp.QmpTimeoutException;
import org.headroom.testing.FakeScheduler;
import org.junit.jupiter.api.Test;

/** The session's bookkeeping on a fake clock and a wire that only records: no socket, no thread, no sleep. */
class QmpSessionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final FakeScheduler clock = new FakeScheduler();
    private final List<JsonNode> wire = new ArrayList<>();
    private final QmpCounters counters = new QmpCounters();
    private boolean wireFull;

    private QmpSession session(int maxQueued, long maxQueuedBytes) {
        return new QmpSession("QMP test", command -> {
            if (wireFull) {
                throw new QmpException("2 commands already wait to be written: QEMU is not reading its socket");
            }
            try {
                wire.add(QmpJson.MAPPER.readTree(command.wire()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, clock, Runnable::run, counters, new QmpSession.Limits(8, maxQueued, maxQueuedBytes, 2, 1 << 20), new AtomicLong());
    }

    private static QmpMessage line(String json) {
        return QmpMessage.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static QmpMessage reply(JsonNode command, String value) {
        return line("{\"return\": " + value + ", \"id\": " + command.get("id") + "}");
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        return f.handle((v, e) -> e).join();
    }

    @Test
    void eightInBandCallsGoOutAndTheNinthWaitsForAReply() {
        QmpSession s = session(256, 1 << 20);
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(s.submit("query-status", null, TIMEOUT, false));
        }
        assertThat(wire).hasSize(8);
        assertThat(s.inFlight()).isEqualTo(8);
        assertThat(s.queued()).isEqualTo(2);
        CompletableFuture<JsonNode> oob = s.submit("x-oob", null, TIMEOUT, true);
        assertThat(wire).as("out of band: outside the window").hasSize(9);

        s.replied(reply(wire.get(2), "3"));
        assertThat(calls.get(2).join().asInt()).isEqualTo(3);
        assertThat(wire).hasSize(10);
        assertThat(wire.get(9).path("id").asText()).isEqualTo(wire.get(7).path("id").asText().replace("-8", "-9"));
        s.replied(reply(wire.get(8), "\"oob\""));
        assertThat(oob.join().asText()).isEqualTo("oob");
        assertThat(s.inFlight()).isEqualTo(8);
        assertThat(s.queued()).isEqualTo(1);
    }

    @Test
    void aTimedOutCallKeepsItsSlotUntilItsLateReply() {
        QmpSession s = session(256, 1 << 20);
        CompletableFuture<JsonNode> call = s.submit("query-block", null, Duration.ofSeconds(1), false);
        clock.advance(Duration.ofMillis(999));
        assertThat(call).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(failure(call)).isInstanceOf(QmpTimeoutException.class).hasMessageContaining("within 1000 ms")
                .hasMessageContaining("not yet written");
        assertThat(s.inFlight()).isEqualTo(1);
        s.replied(reply(wire.get(0), "[]"));
        assertThat(s.inFlight()).isZero();
        assertThat(counters.lateReplies()).isEqualTo(1);
        assertThat(counters.timeouts()).isEqualTo(1);
    }

    @Test
    void aCallTimingOutInTheQueueLeavesIt() {
        QmpSession s = session(256, 1 << 20);
        for (int i = 0; i < 8; i++) {
            s.submit("query-status", null, TIMEOUT, false);
        }
        CompletableFuture<JsonNode> queued = s.submit("query-block", null, Duration.ofSeconds(1), false);
        clock.advance(Duration.ofSeconds(1));
        assertThat(failure(queued)).hasMessageContaining("still queued behind 8");
        assertThat(s.queued()).isZero();
        s.replied(reply(wire.get(0), "{}"));
        assertThat(wire).as("the timed-out call is never sent").hasSize(8);
    }

    @Test
    void aReplyWithoutAMatchingIdAnswersTheOldestInBandCallNeverAnOutOfBandOne() {
        QmpSession s = session(256, 1 << 20);
        CompletableFuture<JsonNode> oob = s.submit("x-oob", null, TIMEOUT, true);
        CompletableFuture<JsonNode> first = s.submit("query-block", null, TIMEOUT, false);
        CompletableFuture<JsonNode> second = s.submit("query-status", null, TIMEOUT, false);
        s.replied(line("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error\"}}"));
        assertThat(failure(first)).isInstanceOf(QmpError.class).hasMessageContaining("query-block failed: GenericError");
        s.replied(line("{\"return\": {}, \"id\": [1]}"));
        assertThat(failure(second)).isInstanceOf(QmpException.class).hasMessageContaining("id [1], which matches no command");
        assertThat(oob).isNotDone();
        assertThat(s.inFlight()).isZero();
        s.replied(line("{\"return\": {}, \"id\": \"hr-99\"}"));
        assertThat(counters.garbage()).as("nothing in band left to answer").isEqualTo(1);
        assertThat(counters.unreadableReplies()).isEqualTo(1);
    }

    @Test
    void theQueueIsBoundedInCountAndInBytes() {
        QmpSession s = session(3, 260);
        for (int i = 0; i < 8; i++) {
            s.submit("query-status", null, TIMEOUT, false);
        }
        assertThat(s.submit("a", Map.of("pad", "p".repeat(60)), TIMEOUT, false)).isNotDone();
        assertThat(s.submit("b", Map.of("pad", "p".repeat(60)), TIMEOUT, false)).isNotDone();
        assertThat(failure(s.submit("c", Map.of("pad", "p".repeat(60)), TIMEOUT, false)))
                .hasMessageContaining("bytes) already queued behind 8 in flight; c refused");
        assertThat(s.submit("d", null, TIMEOUT, false)).isNotDone();
        assertThat(failure(s.submit("e", null, TIMEOUT, false))).hasMessageContaining("3 commands");
    }

    @Test
    void aWireThatRefusesFailsTheCallAtOnceAndFreesItsSlot() {
        QmpSession s = session(256, 1 << 20);
        wireFull = true;
        assertThat(failure(s.submit("query-status", null, TIMEOUT, false))).hasMessageContaining("not reading its socket");
        assertThat(s.inFlight()).isZero();
        assertThat(clock.pending()).as("its timeout is cancelled").isZero();
    }

    @Test
    void outOfBandCallsInFlightAreBounded() {
        QmpSession s = session(256, 1 << 20);
        s.submit("x-oob", null, TIMEOUT, true);
        s.submit("x-oob", null, TIMEOUT, true);
        assertThat(failure(s.submit("x-oob", null, TIMEOUT, true))).hasMessageContaining("2 out-of-band commands");
    }

    @Test
    void aCommandLargerThanTheMessageLimitIsRefused() {
        QmpSession s = session(256, 1 << 20);
        assertThat(failure(s.submit("blockdev-add", Map.of("pad", "p".repeat(1 << 20)), TIMEOUT, false)))
                .hasMessageContaining("more than the client's limit of 1048576 bytes");
        assertThat(wire).isEmpty();
    }

    @Test
    void failAllFailsEveryCallAndEveryLaterOne() {
        QmpSession s = session(256, 1 << 20);
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(s.submit("query-status", null, TIMEOUT, false));
        }
        calls.add(s.submit("x-oob", null, TIMEOUT, true));
        assertThat(s.failAll(new QmpConnectionException("QMP test lost: end of stream"))).isEqualTo(11);
        calls.forEach(c -> assertThat(failure(c)).hasMessageContaining("lost"));
        assertThat(failure(s.submit("query-status", null, TIMEOUT, false))).hasMessageContaining("lost");
        assertThat(clock.pending()).as("every timeout cancelled").isZero();
    }
}
