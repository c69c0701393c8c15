package org.headroom.migrate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.headroom.api.storage.VolumeRef;
import org.junit.jupiter.api.Test;

class AttachmentsTest {
    private final Attachments attachments = new Attachments();
    private final List<VolumeRef> attachCalls = new ArrayList<>();

    private Path attach(VolumeRef v) {
        attachCalls.add(v);
        return Path.of("/run/headroom/storage", v.domain().toString(), v.image().toString(), v.volume().toString());
    }

    @Test
    void attachmentsAreTheVolumesWhateverTheVmIsCalledAndBothStepsAreIdempotent() {
        VolumeRef v = new VolumeRef(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        attachments.attach("admin", v, this::attach);
        attachments.attach("m-1", v, this::attach);
        assertThat(attachCalls).as("the backend's attach runs each time: it refreshes").hasSize(2);
        assertThat(attachments.snapshot()).singleElement().satisfies(a -> {
            assertThat(a.migration()).as("the migration takes the admin's attachment over").isEqualTo("m-1");
            assertThat(a.state()).isEqualTo("attached");
        });
        attachments.activate(v.volume());
        attachments.activate(v.volume());
        assertThat(attachments.snapshot()).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo("active"));
        assertThat(attachments.detach(List.of(v))).containsExactly(v);
        assertThat(attachments.detach(List.of(v))).isEmpty();
    }

    @Test
    void activatingWhatWasNeverAttachedFailsSayingSo() {
        UUID volume = UUID.randomUUID();
        assertThatThrownBy(() -> attachments.activate(volume)).isInstanceOf(NotAttachedException.class)
                .hasMessageContaining("has no attachment on this host: not activating");
    }

    @Test
    void aFailedAttachLeavesNoEntry() {
        VolumeRef v = new VolumeRef(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> attachments.attach("m-1", v, x -> {
            throw new IllegalStateException("losetup failed");
        })).hasMessage("losetup failed");
        assertThat(attachments.attached(v.volume())).isFalse();
    }
}
