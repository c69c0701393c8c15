package org.headroom.qmp;

import java.util.Map;
import org.headroom.qmp.events.BlockIoError;
import org.headroom.qmp.events.BlockJobCompleted;
import org.headroom.qmp.events.BlockJobReady;
import org.headroom.qmp.events.BlockWriteThreshold;
import org.headroom.qmp.events.JobStatusChange;
import org.headroom.qmp.events.Resume;
import org.headroom.qmp.events.Shutdown;
import org.headroom.qmp.events.Stop;

/** The QMP names of the typed events. Events without a type stay reachable as {@link QmpEvent}. */
public final class QmpEvents {
    public static final String BLOCK_WRITE_THRESHOLD = "BLOCK_WRITE_THRESHOLD";
    public static final String BLOCK_IO_ERROR = "BLOCK_IO_ERROR";
    public static final String STOP = "STOP";
    public static final String RESUME = "RESUME";
    public static final String SHUTDOWN = "SHUTDOWN";

    private static final Map<Class<?>, String> NAMES = Map.ofEntries(
            Map.entry(BlockWriteThreshold.class, BLOCK_WRITE_THRESHOLD),
            Map.entry(BlockIoError.class, BLOCK_IO_ERROR),
            Map.entry(Stop.class, STOP),
            Map.entry(Resume.class, RESUME),
            Map.entry(Shutdown.class, SHUTDOWN),
            Map.entry(JobStatusChange.class, "JOB_STATUS_CHANGE"),
            Map.entry(BlockJobReady.class, "BLOCK_JOB_READY"),
            Map.entry(BlockJobCompleted.class, "BLOCK_JOB_COMPLETED"));

    private QmpEvents() {
    }

    public static String nameOf(Class<?> eventType) {
        String name = NAMES.get(eventType);
        if (name == null) {
            throw new IllegalArgumentException(eventType.getName() + " is not a typed QMP event");
        }
        return name;
    }
}
