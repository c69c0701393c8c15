package org.headroom.bench;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.headroom.qmp.QmpClient;
import org.headroom.qmp.QmpEvent;
import org.headroom.qmp.QmpEventListener;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Event dispatch throughput: BLOCK_WRITE_THRESHOLD events as QEMU 7.2 formats them, written by a
 * peer on a UNIX socket as fast as it can, through the client's reader (framing, JSON decoding) to
 * a subscriber's queue and dispatcher thread. QEMU itself cannot be made to emit events this fast
 * (it rate-limits several of them), so the peer replays its bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EventDispatchBenchmark {
    private static final int BATCH = 10_000;
    private static final byte[] EVENT = ("{\"timestamp\": {\"seconds\": 1795320212, \"microseconds\": 488121}, "
            + "\"event\": \"BLOCK_WRITE_THRESHOLD\", \"data\": {\"node-name\": \"f0\", \"write-threshold\": 2097152, "
            + "\"amount-exceeded\": 2424832}}\r\n").getBytes(StandardCharsets.UTF_8);

    private Path dir;
    private ServerSocketChannel server;
    private SocketChannel peer;
    private QmpClient client;
    private ByteBuffer batch;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile long target;

    @Setup(Level.Trial)
    public void connect() throws Exception {
        dir = Files.createTempDirectory("headroom-bench-events");
        Path socket = dir.resolve("qmp.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        // Room for a few batches, in count and in bytes: a batch is never dropped while the last is read.
        client = QmpClient.builder(socket).name("bench").eventQueueCapacity(4 * BATCH)
                .eventQueueBytes(4L * BATCH * EVENT.length).build();
        client.subscribe(new QmpEventListener() {
            @Override
            public void onEvent(QmpEvent event) {
                if (received.incrementAndGet() == target) {
                    wake();
                }
            }

            @Override
            public void onEventsDropped(long count) {
                dropped.addAndGet(count);
                wake();
            }
        });
        CompletableFuture<Void> connecting = CompletableFuture.runAsync(client::connect);
        peer = server.accept();
        write(ByteBuffer.wrap("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer in = ByteBuffer.allocate(4096);
        peer.read(in);
        String caps = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        String id = caps.replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1").trim();
        write(ByteBuffer.wrap(("{\"return\": {}, \"id\": \"" + id + "\"}\r\n").getBytes(StandardCharsets.UTF_8)));
        connecting.get(10, TimeUnit.SECONDS);
        batch = ByteBuffer.allocate(EVENT.length * BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.put(EVENT);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        client.close();
        peer.close();
        server.close();
        Files.deleteIfExists(dir.resolve("qmp.sock"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long dispatch() throws Exception {
        target = received.get() + BATCH;
        batch.clear();
        write(batch);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (this) {
            while (received.get() < target) {
                if (dropped.get() > 0 || System.nanoTime() > deadline) {
                    throw new IllegalStateException("events lost: " + dropped.get() + " dropped, "
                            + (target - received.get()) + " of the batch not received in 30 s");
                }
                wait(1_000);
            }
        }
        return received.get();
    }

    private synchronized void wake() {
        notifyAll();
    }

    private void write(ByteBuffer b) throws Exception {
        while (b.hasRemaining()) {
            peer.write(b);
        }
    }
}
