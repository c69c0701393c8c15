package org.headroom.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandRunnerTest {
    final ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofSeconds(10));

    @Test
    void returnsStandardOutput() {
        assertThat(runner.run(List.of("sh", "-c", "echo out; echo noise >&2"))).isEqualTo("out\n");
    }

    @Test
    void aFailureNamesTheCommandItsExitAndItsStderr() {
        assertThatThrownBy(() -> runner.run(List.of("sh", "-c", "echo out; echo 'it broke' >&2; exit 3")))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.stderr()).isEqualTo("it broke\n");
                    assertThat(e.command()).containsExactly("sh", "-c", "echo out; echo 'it broke' >&2; exit 3");
                })
                .hasMessage("`sh -c echo out; echo 'it broke' >&2; exit 3` exited 3: it broke");
    }

    @Test
    void aCommandThatCannotStartIsAFailure() {
        assertThatThrownBy(() -> runner.run(List.of("/nonexistent/headroom-tool", "x")))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageStartingWith("`/nonexistent/headroom-tool x` could not start");
    }

    @Test
    void aCommandThatHangsIsKilledAtTheTimeout() {
        ProcessCommandRunner impatient = new ProcessCommandRunner(Duration.ofMillis(200));
        long start = System.nanoTime();

        assertThatThrownBy(() -> impatient.run(List.of("sh", "-c", "echo waiting >&2; exec sleep 30")))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("timed out after 200 ms and was killed")
                .hasMessageContaining("waiting");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void largeOutputDoesNotBlockTheCommand() {
        String out = runner.run(List.of("sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; head -c 200000 /dev/zero >&2"));

        assertThat(out).hasSize(1_000_000);
    }
}
