package org.headroom.lease.sanlock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.headroom.lease.sanlock.SanlockException;
import org.junit.jupiter.api.Test;

class ReturnCodesTest {
    private static SanlockException of(String call, int code) {
        return ReturnCodes.exception(call, code, "what it means", "lease x", true);
    }

    @Test
    void errnoCodesMapToTheirClasses() {
        assertThat(of("acquire", -17)).isInstanceOf(SanlockException.Exists.class);
        assertThat(of("acquire", -117)).isInstanceOf(SanlockException.Exists.class);
        assertThat(of("acquire", -16)).isInstanceOf(SanlockException.Busy.class);
        assertThat(of("rem_lockspace", -16)).isInstanceOf(SanlockException.Busy.class);
        assertThat(of("acquire", -11)).isInstanceOf(SanlockException.Again.class);
        assertThat(of("acquire", -28)).isInstanceOf(SanlockException.NotJoined.class);
        assertThat(of("add_lockspace", -115)).isInstanceOf(SanlockException.InProgress.class);
        assertThat(of("rem_lockspace", -2)).isInstanceOf(SanlockException.NotFound.class);
        assertThat(of("read_lockspace", -19)).isInstanceOf(SanlockException.NotFound.class);
        assertThat(of("add_lockspace", -22)).isInstanceOf(SanlockException.Invalid.class);
        assertThat(of("set_lvb", -7)).isInstanceOf(SanlockException.Invalid.class);
        assertThat(of("version", -111)).isInstanceOf(SanlockException.Unreachable.class);
        assertThat(of("acquire", -32)).isInstanceOf(SanlockException.Unreachable.class);
    }

    @Test
    void sanlocksOwnCodesMapToTheirClasses() {
        for (int held : new int[] {-243, -244, -245, -246}) {
            assertThat(of("acquire", held)).isInstanceOf(SanlockException.Held.class);
        }
        assertThat(of("acquire", -247)).isInstanceOf(SanlockException.OwnerRetry.class);
        assertThat(of("acquire", -241)).isInstanceOf(SanlockException.NotJoined.class);
        assertThat(of("add_lockspace", -262)).isInstanceOf(SanlockException.HostIdBusy.class);
        assertThat(of("add_lockspace", -231)).isInstanceOf(SanlockException.Invalid.class);
        for (int v : new int[] {-240, -250, -272, -273}) {
            assertThat(of("request", v)).isInstanceOf(SanlockException.VersionMismatch.class);
        }
        for (int s : new int[] {-202, -210, -214, -220, -223, -229, -242, -270, -271, -274, -278}) {
            assertThat(of("read_resource", s)).isInstanceOf(SanlockException.Storage.class);
        }
    }

    @Test
    void theExceptionCarriesCallCodeAndName() {
        SanlockException e = of("acquire", -243);
        assertThat(e.call()).isEqualTo("acquire");
        assertThat(e.code()).isEqualTo(-243);
        assertThat(e.codeName()).isEqualTo("ACQUIRE_IDLIVE");
        assertThat(e).hasMessage("acquire: ACQUIRE_IDLIVE (-243): what it means; lease x");
        assertThat(of("acquire", -247).codeName()).isEqualTo("ACQUIRE_OWNED_RETRY");
        assertThat(of("add_lockspace", -262).codeName()).isEqualTo("HOSTID_BUSY");
        assertThat(of("acquire", -28).codeName()).isEqualTo("ENOSPC");
    }

    @Test
    void noSocketMeansNoDaemon() {
        assertThat(ReturnCodes.exception("version", -2, "No such file or directory", "", false))
                .isInstanceOf(SanlockException.Unreachable.class).hasMessageContaining("no daemon socket");
    }

    @Test
    void minusOneIsNotHeldFromReleaseAndADroppedConnectionElsewhere() {
        assertThat(of("release", -1)).isInstanceOf(SanlockException.NotFound.class)
                .hasMessageContaining("not held by this registration");
        assertThat(of("inquire", -1)).isInstanceOf(SanlockException.Unreachable.class)
                .hasMessageContaining("closed the connection");
    }

    @Test
    void otherCodesComeAsTheBaseClassWithTheirName() {
        SanlockException e = of("acquire", -3);
        assertThat(e.getClass()).isEqualTo(SanlockException.class);
        assertThat(e.codeName()).isEqualTo("ESRCH");
        assertThat(of("acquire", -201).codeName()).isEqualTo("ERROR");
        assertThat(of("acquire", -999).codeName()).isEqualTo("-999");
        assertThat(ReturnCodes.sanlocks(-201)).isTrue();
        assertThat(ReturnCodes.sanlocks(-199)).isFalse();
    }
}
