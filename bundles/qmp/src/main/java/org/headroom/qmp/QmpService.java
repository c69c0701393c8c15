package org.headroom.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The QEMU processes this agent attached over QMP, as the shell and JMX reach them: any QMP
 * command on one of them, by the VM's name. Registered by the qmp bundle.
 */
public interface QmpService {

    /**
     * Runs {@code command} with {@code arguments} (a JSON object, or null) on the attached VM
     * {@code vm}; completes with QEMU's "return" value. Fails with
     * {@link org.headroom.api.hypervisor.HypervisorException} for a VM that is not attached, and
     * as {@link QmpClient#execute} otherwise.
     */
    CompletionStage<JsonNode> execute(String vm, String command, JsonNode arguments);

    /**
     * Subscribes to the named events (all when {@code events} is empty) of the attached VM
     * {@code vm}, as {@link QmpClient#subscribe(Set, QmpEventListener)}; close the handle to stop.
     * Fails with {@link org.headroom.api.hypervisor.HypervisorException} for a VM that is not attached.
     */
    AutoCloseable subscribe(String vm, Set<String> events, QmpEventListener listener);
}
