package org.headroom.qmp.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.UnknownVmException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.api.hypervisor.VmState;
import org.headroom.testing.Stdout;
import org.junit.jupiter.api.Test;

/** headroom:vms over hypervisors that know less than they list (a fake: the listing's corner cases). */
class VmsCommandTest {

    /** Lists {@code vms} as they were; reading drives fails as {@code failure} says (null: one drive). */
    private static Hypervisor hypervisor(List<VmInfo> listed, List<VmInfo> now, RuntimeException failure) {
        return new Hypervisor() {
            private int calls;

            @Override
            public String type() {
                return "libvirt";
            }

            @Override
            public List<VmInfo> vms() {
                return calls++ == 0 ? listed : now;
            }

            @Override
            public CompletionStage<List<DriveInfo>> drives(String vm) {
                return failure != null ? CompletableFuture.failedFuture(failure) : CompletableFuture.completedFuture(List.of(
                        new DriveInfo(new DriveRef(vm, "vda"), "qcow2", "/dev/x", "vda[1]", 20L << 30, 2L << 30, 0, 0, "ok")));
            }

            @Override
            public CompletionStage<Void> setWriteThreshold(DriveRef drive, long threshold) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletionStage<Void> resume(String vm) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletionStage<Void> pause(String vm) {
                throw new UnsupportedOperationException();
            }

            @Override
            public AutoCloseable subscribe(DriveEventListener listener) {
                return () -> { };
            }
        };
    }

    private static String run(Hypervisor h) throws Exception {
        VmsCommand command = new VmsCommand();
        command.hypervisors = List.of(h);
        return Stdout.of(command::execute);
    }

    private static VmInfo vm(VmState state) {
        return new VmInfo("vm1", "libvirt", state, "");
    }

    @Test
    void aVmThatStoppedSinceItWasListedIsNotShownRunningWithUnreadableDrives() throws Exception {
        String out = run(hypervisor(List.of(vm(VmState.RUNNING)), List.of(vm(VmState.RUNNING)),
                new UnknownVmException("vm1", "libvirt knows no VM named vm1")));
        assertThat(out).contains("vm1", "shutoff", "gone").doesNotContain("running").doesNotContain("unreadable");
    }

    @Test
    void aVmListedRunningThatTheHypervisorNowReportsShutOffIsShownSo() throws Exception {
        String out = run(hypervisor(List.of(vm(VmState.RUNNING)), List.of(vm(VmState.SHUTOFF)),
                new HypervisorException("reading drives of vm1: domain is not running")));
        assertThat(out).contains("shutoff").doesNotContain("running");
    }

    @Test
    void aRunningVmWhoseDrivesCannotBeReadSaysWhy() throws Exception {
        String out = run(hypervisor(List.of(vm(VmState.RUNNING)), List.of(vm(VmState.RUNNING)),
                new HypervisorException("the libvirt adapter is busy")));
        assertThat(out).contains("running", "(unreadable: the libvirt adapter is busy)");
        assertThat(run(hypervisor(List.of(vm(VmState.RUNNING)), List.of(), null))).contains("vda qcow2 2048.0 MiB/20480.0 MiB");
    }
}
