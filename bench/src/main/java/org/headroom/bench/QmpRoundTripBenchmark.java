package org.headroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.headroom.qmp.QmpClient;
import org.headroom.testing.QemuProcess;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One QMP round trip, {@code query-status}, against a real QEMU 7.2 (guest-less, paused), through
 * the whole client: encode, write, QEMU's monitor, read, frame, decode, match the id, complete.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QmpRoundTripBenchmark {
    private Path dir;
    private QemuProcess qemu;
    private QmpClient client;

    @Setup(Level.Trial)
    public void startQemu() throws Exception {
        dir = Files.createTempDirectory("headroom-bench-qmp");
        qemu = QemuProcess.start(dir, List.of("-S", "-m", "64"));
        client = QmpClient.builder(qemu.qmpSocket()).name("bench").build();
        client.connect();
    }

    @TearDown(Level.Trial)
    public void stopQemu() throws Exception {
        client.close();
        qemu.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public JsonNode queryStatus() throws Exception {
        return client.execute("query-status").get(10, TimeUnit.SECONDS);
    }
}
