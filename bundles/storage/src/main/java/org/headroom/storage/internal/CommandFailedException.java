package org.headroom.storage.internal;

import java.util.List;
import org.headroom.api.storage.StorageException;

/** A host command failed; the message holds the command line and its standard error. */
public class CommandFailedException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final List<String> command;
    private final String stderr;

    public CommandFailedException(List<String> command, String what, String stderr) {
        super("`" + String.join(" ", command) + "` " + what + (stderr.isBlank() ? "" : ": " + stderr.strip()));
        this.command = List.copyOf(command);
        this.stderr = stderr;
    }

    public List<String> command() {
        return command;
    }

    /** What the command wrote to standard error; backends look here for "no such volume". */
    public String stderr() {
        return stderr;
    }
}
