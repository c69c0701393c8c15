package org.headroom.api.mailbox;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.headroom.api.storage.VolumeRef;

/**
 * Asks the SPM, the only host allowed to change volume sizes, to grow a volume: through the
 * storage mailbox, or in-process when this host is the SPM.
 */
public interface ExtendService {

    /**
     * Requests that {@code volume} be at least {@code size} bytes (rounded up to whole MiB).
     * Completes with the size the SPM reports once it has extended the volume; fails with
     * {@link ExtendFailedException} when the SPM could not, {@link MailboxException} when the
     * request cannot be sent or gets no answer in time.
     */
    CompletionStage<Long> extend(VolumeRef volume, long size);

    /**
     * How long a request may wait for its answer: the stage {@link #extend} returns fails with a
     * {@link MailboxException} by then at the latest. Re-sending within that time is the service's
     * own business; callers keep this one deadline and never re-send on their own.
     */
    default Duration replyTimeout() {
        return Duration.ofSeconds(60);
    }
}
