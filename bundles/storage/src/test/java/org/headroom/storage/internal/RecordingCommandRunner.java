package org.headroom.storage.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A FAKE command runner for unit tests: it runs nothing. It records every command line it is given
 * and answers each from a script (a command not scripted prints nothing and succeeds), so that tests
 * can assert the exact commands a backend would run and how it reads their output, on a machine
 * that lacks the tools (LVM here). It says nothing about how the real tools behave.
 */
final class RecordingCommandRunner implements CommandRunner {
    private final List<String> commands = new ArrayList<>();
    private final Map<String, Deque<Answer>> script = new HashMap<>();

    private record Answer(String stdout, String stderr) {
    }

    /** Scripts the next answer of {@code command} (the command line joined by spaces); the last answer repeats. */
    RecordingCommandRunner answer(String command, String stdout) {
        script.computeIfAbsent(command, c -> new ArrayDeque<>()).add(new Answer(stdout, null));
        return this;
    }

    /** Scripts {@code command} to fail with {@code stderr}, as a real command exiting 5 would. */
    RecordingCommandRunner fail(String command, String stderr) {
        script.computeIfAbsent(command, c -> new ArrayDeque<>()).add(new Answer(null, stderr));
        return this;
    }

    /** The command lines run so far, each joined by spaces. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    @Override
    public String run(List<String> command) {
        String line = String.join(" ", command);
        commands.add(line);
        Deque<Answer> answers = script.get(line);
        if (answers == null) {
            return "";
        }
        Answer answer = answers.size() > 1 ? answers.poll() : answers.peek();
        if (answer.stderr() != null) {
            throw new CommandFailedException(command, "exited 5", answer.stderr());
        }
        return answer.stdout();
    }
}
