package org.headroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The lab's libvirtd, started for a test by {@code lab/libvirtd.sh} with Headroom's qemu hook
 * installed first ({@code hooks/install.sh}: libvirtd looks for the hook when it starts).
 * {@link #close()} stops only the daemon it started, and puts back the hook that was installed
 * before (or none): a test must not leave the host a hook that forwards to a socket gone with it.
 * Domains must be destroyed before.
 */
public final class Libvirtd implements Virsh, AutoCloseable {
    public static final String URI = "qemu:///system";

    private final Path project;
    private final HookFile hook;

    private Libvirtd(Path project, HookFile hook) {
        this.project = project;
        this.hook = hook;
    }

    /** Installs the hook (forwarding to {@code hookSocket}) and starts libvirtd. */
    public static Libvirtd start(Path hookSocket) throws IOException, InterruptedException {
        Lab.require("/usr/sbin/libvirtd", "/usr/bin/virsh", "/usr/bin/cc");
        HookFile hook = HookFile.save();
        Libvirtd daemon = new Libvirtd(projectRoot(), hook);
        try {
            Lab.run(daemon.script("hooks/install.sh"), "--socket", hookSocket.toString(), "--force");
            Lab.run(daemon.script("lab/libvirtd.sh"), "start");
        } catch (IOException | InterruptedException | RuntimeException e) {
            hook.restore();
            throw e;
        }
        return daemon;
    }

    /** Stops and starts the daemon; running domains keep running, libvirtd reconnects to them. */
    public void restart() throws IOException, InterruptedException {
        Lab.run(script("lab/libvirtd.sh"), "restart");
    }

    @Override
    public String virsh(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("virsh", "-q", "-c", URI));
        cmd.addAll(List.of(args));
        return Lab.run(cmd).strip();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            Lab.run(script("lab/libvirtd.sh"), "stop");
        } finally {
            hook.restore();
        }
    }

    private String script(String relative) {
        return project.resolve(relative).toString();
    }

    /** The checkout: the first directory up from the working directory that has lab/ and hooks/. */
    public static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("lab/libvirtd.sh")) && Files.isRegularFile(p.resolve("hooks/install.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no Headroom checkout above " + Path.of("").toAbsolutePath());
    }
}
