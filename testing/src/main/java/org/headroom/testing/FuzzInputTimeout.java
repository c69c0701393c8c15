package org.headroom.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.reflect.Method;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * A time limit on each input of a Jazzer {@code @FuzzTest} run as a regression test (its committed
 * corpus, in a normal build): a decoder that hangs on an input fails that input instead of the
 * build hanging. Register with {@code @ExtendWith(FuzzInputTimeout.class)} on the test class.
 *
 * <p>While fuzzing ({@code JAZZER_FUZZ} set) it does nothing: libFuzzer's {@code -timeout} bounds
 * each input then, and a JUnit {@code @Timeout} would instead cut the whole fuzzing run, which is
 * one invocation of the test method.
 */
public final class FuzzInputTimeout implements InvocationInterceptor {
    /** Far above any decoder's time on one input, far below a stuck build's. */
    public static final Duration LIMIT = Duration.ofSeconds(10);

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        if (fuzzing()) {
            invocation.proceed();
            return;
        }
        assertTimeoutPreemptively(LIMIT, () -> invocation.proceed(),
                () -> extensionContext.getDisplayName() + " took longer than " + LIMIT.toSeconds() + " s on one input");
    }

    /** Jazzer's own reading of the switch: the environment variable or the system property. */
    private static boolean fuzzing() {
        for (String value : new String[] {System.getenv("JAZZER_FUZZ"), System.getProperty("JAZZER_FUZZ")}) {
            if (value != null && (value.equalsIgnoreCase("true") || value.equals("1") || value.equalsIgnoreCase("yes"))) {
                return true;
            }
        }
        return false;
    }
}
