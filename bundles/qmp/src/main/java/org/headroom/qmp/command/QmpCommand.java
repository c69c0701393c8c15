package org.headroom.qmp.command;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.headroom.qmp.QmpJson;
import org.headroom.qmp.QmpService;

@Command(scope = "headroom", name = "qmp", description = "Sends a QMP command to a QMP-attached VM and prints the reply")
@Service
public class QmpCommand implements Action {

    @Argument(index = 0, name = "vm", description = "The VM's name", required = true)
    @Completion(VmNameCompleter.class)
    String vm;

    @Argument(index = 1, name = "command", description = "QMP command, e.g. query-status", required = true)
    String command;

    @Argument(index = 2, name = "arguments", description = "Arguments as a JSON object, e.g. '{\"flat\":true}'")
    String arguments;

    @Reference
    QmpService qmp;

    @Override
    public Object execute() throws Exception {
        JsonNode args = null;
        if (arguments != null) {
            args = QmpJson.MAPPER.readTree(arguments);
            if (!args.isObject()) {
                throw new IllegalArgumentException("arguments must be a JSON object: " + arguments);
            }
        }
        JsonNode reply = qmp.execute(vm, command, args).toCompletableFuture().get(60, TimeUnit.SECONDS);
        System.out.println(QmpJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(reply));
        return null;
    }
}
