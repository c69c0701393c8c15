package org.headroom.thinextend;

/**
 * The volume monitor's figures since it started.
 *
 * @param stale        results of extensions that were no longer current when they arrived (a late
 *                     reply after a newer extension began, a drive dropped meanwhile): ignored, counted
 * @param latencyP50Millis p50 of recent extensions, threshold event to re-armed
 * @param refused      events and calls refused because the monitor's queue was full (the next periodic check catches up)
 * @param health       "ok", or why the monitor cannot work ("broken: ...") until it is restarted
 */
public record MonitorStatus(String policy, int watched, long extensions, long pauses, long failures, long stale, long refused,
                            double latencyP50Millis, double latencyP99Millis, String health) {
}
