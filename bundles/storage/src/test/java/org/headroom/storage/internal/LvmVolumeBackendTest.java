package org.headroom.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeRef;
import org.junit.jupiter.api.Test;

/** The lvm backend's command lines and parsing, against a recording fake: no LVM runs here. */
class LvmVolumeBackendTest {
    static final UUID SD = UUID.fromString("11111111-2222-3333-4444-555555555555");
    static final UUID IMG = UUID.fromString("aaaaaaaa-0000-0000-0000-000000000001");
    static final UUID VOL = UUID.fromString("bbbbbbbb-0000-0000-0000-000000000002");
    static final VolumeRef REF = new VolumeRef(SD, IMG, VOL);
    static final String LV = SD + "/" + VOL;
    static final String LVS_SIZE = "lvs --noheadings --units b --nosuffix -o lv_size " + LV;
    static final String NO_SUCH_LV = "  Failed to find logical volume \"" + LV + "\"\n";
    static final long MIB = 1L << 20;

    final RecordingCommandRunner lvm = new RecordingCommandRunner();
    final LvmVolumeBackend backend = new LvmVolumeBackend(SD, lvm);

    @Test
    void createMakesAnLvOfWholeMibTaggedWithItsImage() {
        backend.create(REF, 1024 * MIB + 1);

        assertThat(lvm.commands()).containsExactly("lvcreate -n " + VOL + " -L 1025m --addtag IU_" + IMG + " " + SD);
    }

    @Test
    void sizeIsReadFromLvsInBytes() {
        lvm.answer(LVS_SIZE, "  1073741824\n");

        assertThat(backend.size(REF)).isEqualTo(1024 * MIB);
        assertThat(backend.exists(REF)).isTrue();
    }

    @Test
    void extendGrowsASmallerLvAndReturnsTheSizeLvmMade() {
        lvm.answer(LVS_SIZE, "  1073741824\n").answer(LVS_SIZE, "  2151677952\n"); // rounded up to a 4 MiB extent

        assertThat(backend.extend(REF, 2050 * MIB)).isEqualTo(2052 * MIB);
        assertThat(lvm.commands()).containsExactly(LVS_SIZE, "lvextend -L 2050m " + LV, LVS_SIZE);
    }

    @Test
    void extendLeavesAnLvAlreadyThatLargeAlone() {
        lvm.answer(LVS_SIZE, "  2147483648\n");

        assertThat(backend.extend(REF, 1024 * MIB)).isEqualTo(2048 * MIB);
        assertThat(backend.extend(REF, 2048 * MIB)).isEqualTo(2048 * MIB);
        assertThat(lvm.commands()).containsExactly(LVS_SIZE, LVS_SIZE);
    }

    @Test
    void refreshReloadsTheLvThenReadsItsSize() {
        lvm.answer(LVS_SIZE, "  2147483648\n");

        assertThat(backend.refresh(REF)).isEqualTo(2048 * MIB);
        assertThat(lvm.commands()).containsExactly("lvchange --refresh " + LV, LVS_SIZE);
    }

    @Test
    void activateAndDeactivateChangeTheLvAndNameItsDevice() {
        assertThat(backend.activate(REF)).isEqualTo(Path.of("/dev/" + SD + "/" + VOL));
        backend.deactivate(REF);

        assertThat(lvm.commands()).containsExactly("lvchange -ay " + LV, "lvchange -an " + LV);
    }

    @Test
    void anLvLvmCannotFindIsAnUnknownVolume() {
        lvm.fail(LVS_SIZE, NO_SUCH_LV).fail("lvchange -ay " + LV, NO_SUCH_LV);

        assertThat(backend.exists(REF)).isFalse();
        assertThatThrownBy(() -> backend.size(REF)).isInstanceOf(UnknownVolumeException.class);
        assertThatThrownBy(() -> backend.extend(REF, MIB)).isInstanceOf(UnknownVolumeException.class);
        assertThatThrownBy(() -> backend.activate(REF)).isInstanceOf(UnknownVolumeException.class);
    }

    @Test
    void otherFailuresNameTheCommandAndItsStderr() {
        lvm.fail(LVS_SIZE, "  Volume group \"" + SD + "\" not found\n");

        assertThatThrownBy(() -> backend.size(REF))
                .isInstanceOf(StorageException.class)
                .isNotInstanceOf(UnknownVolumeException.class)
                .hasMessageContaining("`" + LVS_SIZE + "`")
                .hasMessageContaining("Volume group \"" + SD + "\" not found");
    }

    @Test
    void lvsOutputThatIsNoNumberIsAClearError() {
        lvm.answer(LVS_SIZE, "  1.00g\n");

        assertThatThrownBy(() -> backend.size(REF))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("lvs printed '1.00g'");
    }

    @Test
    void sizesOutOfRangeAreRefusedBeforeAnyCommand() {
        assertThatThrownBy(() -> backend.create(REF, 0)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> backend.extend(REF, -1)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> backend.extend(REF, (0xFFFFFFFFL + 1) * MIB)).hasMessageContaining("4294967295 MiB");
        assertThat(lvm.commands()).isEmpty();
    }

    @Test
    void aVolumeOfAnotherDomainIsUnknownWithoutAskingLvm() {
        VolumeRef other = new VolumeRef(UUID.randomUUID(), IMG, VOL);

        assertThat(backend.exists(other)).isFalse();
        assertThatThrownBy(() -> backend.activate(other)).isInstanceOf(UnknownVolumeException.class);
        assertThat(lvm.commands()).isEmpty();
    }

    @Test
    void listFindsTheLvsTaggedWithAnImage() {
        UUID vol2 = UUID.fromString("bbbbbbbb-0000-0000-0000-000000000003");
        lvm.answer("lvs --noheadings --separator | -o lv_name,lv_tags " + SD, String.join("\n",
                "  " + vol2 + "|IU_" + IMG + ",MD_4,PU_00000000-0000-0000-0000-000000000000",
                "  ids|",
                "  inbox|",
                "  " + VOL + "|IU_" + IMG,
                "  master|",
                ""));

        assertThat(backend.list()).containsExactly(REF, new VolumeRef(SD, IMG, vol2));
    }
}
