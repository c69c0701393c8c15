package org.headroom.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The libvirtd of one simulated host, started by {@code lab/libvirtd-host.sh} in a mount namespace
 * of its own: its own /run/libvirt, /var/lib/libvirt, /etc/libvirt and host UUID, and its own
 * /run/headroom (run paths at the same place on every host). Headroom's qemu hook is installed in
 * its /etc/libvirt, forwarding to {@code hookSocket}. A Karaf started with {@link #start(Path)} runs
 * in the same namespace: the agent of that host. {@link #close()} destroys its domains and stops
 * the daemon it started, by its PID file, and the last one closed removes the mount point
 * /run/headroom when the first one made it: tests leave the machine as they found it.
 */
public final class LibvirtHost implements Virsh, AutoCloseable {
    private static final Path RUN_HEADROOM = Path.of("/run/headroom");
    private static int running;
    private static boolean madeRunHeadroom;

    private final Path dir;
    private final String uri;

    private LibvirtHost(Path dir, String uri) {
        this.dir = dir;
        this.uri = uri;
    }

    public static LibvirtHost start(Path dir, String hostUuid, Path hookSocket) throws IOException, InterruptedException {
        Lab.require("/usr/sbin/libvirtd", "/usr/bin/virsh", "/usr/bin/cc", "/usr/bin/nsenter");
        synchronized (LibvirtHost.class) {
            if (running == 0) {
                madeRunHeadroom = !java.nio.file.Files.exists(RUN_HEADROOM);
            }
            String uri = Lab.run(script(), "start", dir.toString(), hostUuid, hookSocket.toString()).strip();
            running++;
            return new LibvirtHost(dir, uri);
        }
    }

    /** How another host's libvirtd reaches this one: a UNIX socket outside the namespaces. */
    public String uri() {
        return uri;
    }

    @Override
    public String virsh(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", uri));
        cmd.addAll(List.of(args));
        return Lab.run(cmd).strip();
    }

    /** Runs {@code command} in this host's mount namespace. */
    public String exec(String... command) throws IOException, InterruptedException {
        return exec(Map.of(), command);
    }

    public String exec(Map<String, String> environment, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script(), "exec", dir.toString()));
        cmd.addAll(List.of(command));
        return Lab.run(environment, cmd);
    }

    /** Starts {@code karaf} in this host, a client of its own sanlock daemon (as {@link KarafHosts#start}). */
    public void start(Path karaf) throws IOException, InterruptedException {
        exec(KarafHosts.sanlockEnvironment(karaf), karaf.resolve("bin/start").toString());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Lab.run(script(), "stop", dir.toString());
        synchronized (LibvirtHost.class) {
            if (--running == 0 && madeRunHeadroom) {
                try {
                    java.nio.file.Files.deleteIfExists(RUN_HEADROOM);
                } catch (java.nio.file.DirectoryNotEmptyException used) {
                    // Something else put files there meanwhile: not ours to remove.
                }
            }
        }
    }

    private static String script() {
        return Libvirtd.projectRoot().resolve("lab/libvirtd-host.sh").toString();
    }
}
