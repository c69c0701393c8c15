package org.headroom.qmp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.headroom.qmp.types.BlockDeviceInfo;
import org.headroom.qmp.types.BlockInfo;
import org.headroom.qmp.types.BlockStats;
import org.headroom.qmp.types.BlockdevMirror;
import org.headroom.qmp.types.JobInfo;
import org.headroom.qmp.types.StatusInfo;

/**
 * Typed calls over a {@link QmpClient} for the commands Headroom uses, each run against real QEMU by
 * a test; anything else stays reachable through {@link QmpClient#execute}. Arguments follow QEMU's
 * QAPI names; every call is asynchronous.
 */
public final class Qmp {
    private static final TypeReference<List<BlockInfo>> BLOCK_INFOS = new TypeReference<>() { };
    private static final TypeReference<List<BlockDeviceInfo>> BLOCK_NODES = new TypeReference<>() { };
    private static final TypeReference<List<BlockStats>> BLOCK_STATS = new TypeReference<>() { };
    private static final TypeReference<List<JobInfo>> JOBS = new TypeReference<>() { };

    private final QmpClient client;

    public Qmp(QmpClient client) {
        this.client = Objects.requireNonNull(client);
    }

    public QmpClient client() {
        return client;
    }

    public CompletableFuture<StatusInfo> queryStatus() {
        return call("query-status", null, StatusInfo.class);
    }

    public CompletableFuture<List<BlockInfo>> queryBlock() {
        return call("query-block", null, BLOCK_INFOS);
    }

    /** With {@code flat}, every node once, children not nested. */
    public CompletableFuture<List<BlockDeviceInfo>> queryNamedBlockNodes(boolean flat) {
        return call("query-named-block-nodes", Map.of("flat", flat), BLOCK_NODES);
    }

    public CompletableFuture<List<BlockStats>> queryBlockstats() {
        return call("query-blockstats", null, BLOCK_STATS);
    }

    /** Arms a one-shot threshold in bytes of the node's offsets; 0 disarms. */
    public CompletableFuture<Void> blockSetWriteThreshold(String nodeName, long threshold) {
        return run("block-set-write-threshold", args("node-name", nodeName, "write-threshold", threshold));
    }

    public CompletableFuture<Void> cont() {
        return run("cont", null);
    }

    public CompletableFuture<Void> stop() {
        return run("stop", null);
    }

    /** {@code options} as blockdev-add takes them: driver, node-name and the driver's own keys. */
    public CompletableFuture<Void> blockdevAdd(Map<String, ?> options) {
        return run("blockdev-add", options);
    }

    public CompletableFuture<Void> blockdevMirror(BlockdevMirror mirror) {
        return run("blockdev-mirror", mirror);
    }

    public CompletableFuture<List<JobInfo>> queryJobs() {
        return call("query-jobs", null, JOBS);
    }

    public CompletableFuture<Void> jobComplete(String id) {
        return run("job-complete", args("id", id));
    }

    public CompletableFuture<Void> jobDismiss(String id) {
        return run("job-dismiss", args("id", id));
    }

    /** Runs an HMP command line; completes with its text output. */
    public CompletableFuture<String> humanMonitorCommand(String commandLine) {
        return client.execute("human-monitor-command", args("command-line", commandLine)).thenApply(JsonNode::asText);
    }

    private CompletableFuture<Void> run(String command, Object arguments) {
        return client.execute(command, arguments).thenApply(ignored -> null);
    }

    private <T> CompletableFuture<T> call(String command, Object arguments, Class<T> type) {
        return client.execute(command, arguments).thenApply(node -> QmpJson.convert(node, type));
    }

    private <T> CompletableFuture<T> call(String command, Object arguments, TypeReference<T> type) {
        return client.execute(command, arguments).thenApply(node -> {
            try {
                return QmpJson.MAPPER.readerFor(type).readValue(node);
            } catch (Exception e) {
                throw new QmpException("cannot read the reply of " + command + ": " + e.getMessage(), e);
            }
        });
    }

    /** An argument object from alternating keys and values, in order; null values are left out. */
    private static Map<String, Object> args(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                map.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return map;
    }
}
