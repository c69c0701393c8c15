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
import org.headroom.qmp.types.MigrationInfo;
import org.headroom.qmp.types.StatusInfo;

/**
 * Typed calls over a {@link QmpClient} for the commands Headroom uses; anything else stays reachable
 * through {@link QmpClient#execute}. Arguments follow QEMU's QAPI names; every call is asynchronous.
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

    public CompletableFuture<Void> blockdevDel(String nodeName) {
        return run("blockdev-del", args("node-name", nodeName));
    }

    public CompletableFuture<Void> blockdevReopen(List<Map<String, ?>> options) {
        return run("blockdev-reopen", Map.of("options", options));
    }

    /** Tells a node its new size: a device name or a node name, bytes. */
    public CompletableFuture<Void> blockResize(String nodeName, long size) {
        return run("block_resize", args("node-name", nodeName, "size", size));
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

    public CompletableFuture<Void> jobCancel(String id) {
        return run("job-cancel", args("id", id));
    }

    public CompletableFuture<Void> jobDismiss(String id) {
        return run("job-dismiss", args("id", id));
    }

    /** {@code persistent} bitmaps are stored in the qcow2 image when the node is closed. */
    public CompletableFuture<Void> blockDirtyBitmapAdd(String node, String name, boolean persistent, boolean disabled) {
        return run("block-dirty-bitmap-add",
                args("node", node, "name", name, "persistent", persistent, "disabled", disabled));
    }

    public CompletableFuture<Void> blockDirtyBitmapRemove(String node, String name) {
        return run("block-dirty-bitmap-remove", args("node", node, "name", name));
    }

    public CompletableFuture<Void> blockDirtyBitmapClear(String node, String name) {
        return run("block-dirty-bitmap-clear", args("node", node, "name", name));
    }

    public CompletableFuture<Void> blockDirtyBitmapDisable(String node, String name) {
        return run("block-dirty-bitmap-disable", args("node", node, "name", name));
    }

    /** Merges the bitmaps of {@code node} named in {@code sources} into {@code target}. */
    public CompletableFuture<Void> blockDirtyBitmapMerge(String node, String target, List<String> sources) {
        return run("block-dirty-bitmap-merge", args("node", node, "target", target, "bitmaps", sources));
    }

    /** Starts the NBD server on a UNIX socket. */
    public CompletableFuture<Void> nbdServerStartUnix(String path) {
        return run("nbd-server-start", Map.of("addr", args("type", "unix", "path", path)));
    }

    public CompletableFuture<Void> nbdServerStop() {
        return run("nbd-server-stop", null);
    }

    /** {@code options}: type "nbd", id, node-name, writable, bitmaps ... as block-export-add takes them. */
    public CompletableFuture<Void> blockExportAdd(Map<String, ?> options) {
        return run("block-export-add", options);
    }

    public CompletableFuture<Void> blockExportDel(String id) {
        return run("block-export-del", args("id", id));
    }

    public CompletableFuture<Void> migrateSetCapabilities(Map<String, Boolean> capabilities) {
        List<Map<String, Object>> caps = capabilities.entrySet().stream()
                .map(e -> args("capability", e.getKey(), "state", e.getValue()))
                .toList();
        return run("migrate-set-capabilities", Map.of("capabilities", caps));
    }

    public CompletableFuture<Void> migrate(String uri) {
        return run("migrate", args("uri", uri));
    }

    public CompletableFuture<Void> migrateIncoming(String uri) {
        return run("migrate-incoming", args("uri", uri));
    }

    /** Resumes a migration paused before switchover: {@code state} "pre-switchover". */
    public CompletableFuture<Void> migrateContinue(String state) {
        return run("migrate-continue", args("state", state));
    }

    public CompletableFuture<MigrationInfo> queryMigrate() {
        return call("query-migrate", null, MigrationInfo.class);
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
