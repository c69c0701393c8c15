package org.headroom.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What a piece of code prints, as a shell command prints its tables on {@code System.out}. */
public final class Stdout {
    private Stdout() {
    }

    /** Code that prints, and may throw. */
    @FunctionalInterface
    public interface Printing {
        void run() throws Exception;
    }

    /** Runs {@code body} with {@code System.out} captured; returns what it printed. */
    public static String of(Printing body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
