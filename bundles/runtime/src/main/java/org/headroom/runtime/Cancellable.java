package org.headroom.runtime;

/** A scheduled task that may still be called off. */
@FunctionalInterface
public interface Cancellable {

    /** Calls the task off; false when it already ran, is running or was cancelled before. */
    boolean cancel();
}
