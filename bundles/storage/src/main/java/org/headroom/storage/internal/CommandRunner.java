package org.headroom.storage.internal;

import java.util.List;

/**
 * Runs a host command (losetup, lvm). An interface so that the backends' command lines and their
 * parsing of the output can be tested without the tools, which this machine partly lacks.
 */
public interface CommandRunner {

    /**
     * Runs {@code command} to completion and returns its standard output.
     *
     * @throws CommandFailedException when it cannot start, exits non-zero or times out
     */
    String run(List<String> command);
}
