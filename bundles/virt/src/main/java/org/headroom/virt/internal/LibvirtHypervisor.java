package org.headroom.virt.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.hypervisor.DriveEventListener;
import org.headroom.api.hypervisor.DriveInfo;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.hypervisor.Hypervisor;
import org.headroom.api.hypervisor.HypervisorException;
import org.headroom.api.hypervisor.UnknownVmException;
import org.headroom.api.hypervisor.VmInfo;
import org.headroom.runtime.Listeners;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.virt.LibvirtStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The hypervisor contract over libvirt: every active domain of the connection is a VM, its
 * writable disks are drives named by target ({@code vda}), armed by backing index ({@code vda[N]}).
 * This class wires the parts: {@link LibvirtConnection} (the connection and libvirt's event loop),
 * {@link EventTranslator} (libvirt's callbacks to drive events, the index logic, the known VMs) and
 * {@link LibvirtDomains} (reading drives).
 *
 * <p>Threads, each bounded: libvirt's event loop, which only hands events over; one
 * "libvirt-connection" thread that (re)connects, relists and turns events into {@link DriveEvent}s
 * in order, at most {@value #EVENT_LIMIT} events waiting (beyond, an event is dropped, counted and
 * its VM told {@link DriveEvent.EventsLost}: see {@link EventQueue}); two "libvirt-call" threads
 * for the volume monitor's calls, never on the event loop, at most {@value #CALL_LIMIT} waiting
 * (beyond, a call fails at once, saying so, and is counted). Any of these that throws something
 * unexpected leaves the adapter broken ({@link LibvirtStatus.State#BROKEN}), never "connected".
 *
 * <p>When libvirtd goes away the VMs are reported unreachable and the connection is retried every
 * {@code reconnect_interval_ms}; once back, every VM is reported as possibly having lost events,
 * so the volume monitor re-reads its drives (a threshold crossed meanwhile is caught that way).
 */
@Component(configurationPid = "org.headroom.virt", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {Hypervisor.class, LibvirtAdapter.class}, property = "hypervisor.type=" + LibvirtHypervisor.TYPE)
@Designate(ocd = LibvirtConfig.class)
public class LibvirtHypervisor implements Hypervisor, LibvirtAdapter {
    public static final String TYPE = "libvirt";
    static final int EVENT_LIMIT = 1024;
    /** Room on the connection thread beyond the events: connect, relist, a closed connection, close. */
    private static final int CONTROL_TASKS = 16;
    private static final int CALL_THREADS = 2;
    static final int CALL_LIMIT = 256;

    /** How to reach libvirt. */
    public record Settings(String uri, Duration reconnectInterval, int keepaliveIntervalSeconds, int keepaliveCount,
                           Duration relistInterval) {
        static Settings from(LibvirtConfig c) {
            return new Settings(c.uri(), Duration.ofMillis(c.reconnect__interval__ms()), c.keepalive__interval__s(),
                    c.keepalive__count(), Duration.ofMillis(c.relist__interval__ms()));
        }
    }

    private final Listeners<DriveEventListener> listeners = new Listeners<>("libvirt drive events");
    private final LibvirtDomains domains = new LibvirtDomains(this::currentConnection);
    private final EventTranslator translator = new EventTranslator(domains, this::publish);
    private final AtomicLong callsRefused = new AtomicLong();

    private volatile Settings settings;
    private volatile LibvirtConnection connection;
    private volatile EventQueue events;
    private ThreadScheduler connectionThread;
    private ThreadScheduler calls;

    @Activate
    void activate(LibvirtConfig config) {
        start(Settings.from(config));
    }

    /** Starts the event loop and connects (in the background: libvirtd may not be up yet). */
    public void start(Settings settings) {
        this.settings = settings;
        connectionThread = ThreadScheduler.create("libvirt-connection", 1, EVENT_LIMIT + CONTROL_TASKS, this::failed);
        calls = ThreadScheduler.create("libvirt-call", CALL_THREADS, CALL_LIMIT, this::failed);
        events = new EventQueue(connectionThread, EVENT_LIMIT, this::publish);
        connection = new LibvirtConnection(settings, connectionThread, events, translator);
        connection.start();
    }

    @Deactivate
    public void close() {
        if (connection != null) {
            connection.close();
        }
        if (connectionThread != null) {
            connectionThread.close();
        }
        if (calls != null) {
            calls.close();
        }
    }

    private void failed(Throwable t) {
        LibvirtConnection c = connection;
        if (c != null) {
            c.broken("a task failed: " + t, t);
        }
    }

    private HeadroomConnect currentConnection() {
        LibvirtConnection c = connection;
        return c == null ? null : c.current();
    }

    // ---- the contract ------------------------------------------------------------------------

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<VmInfo> vms() {
        return translator.vms();
    }

    /** Whether the connection to libvirtd is up (and the adapter not broken). */
    public boolean connected() {
        LibvirtConnection c = connection;
        return c != null && c.connected();
    }

    /** How often the connection was re-established after libvirtd went away. */
    public long reconnects() {
        LibvirtConnection c = connection;
        return c == null ? 0 : c.reconnects();
    }

    @Override
    public LibvirtStatus status() {
        LibvirtConnection c = connection;
        EventQueue q = events;
        Settings s = settings;
        return new LibvirtStatus(s == null ? "" : s.uri(), c == null ? LibvirtStatus.State.CONNECTING : c.state(),
                c == null ? "not started" : c.problem(), translator.vms().size(), reconnects(), translator.ignored(),
                q == null ? 0 : q.dropped(), callsRefused.get());
    }

    @Override
    public CompletionStage<List<DriveInfo>> drives(String vm) {
        return call("reading drives of " + vm, () -> translator.drives(vm));
    }

    @Override
    public CompletionStage<Void> setWriteThreshold(DriveRef drive, long threshold) {
        if (threshold < 0) {
            return CompletableFuture.failedFuture(new HypervisorException("negative threshold " + threshold + " for " + drive));
        }
        return call("arming " + drive + " at " + threshold, () -> {
            domains.setThreshold(drive.vm(), translator.node(drive), threshold);
            translator.armed(drive, threshold);
            return null;
        });
    }

    @Override
    public CompletionStage<Void> resume(String vm) {
        return call("resuming " + vm, () -> {
            domains.resume(vm);
            return null;
        });
    }

    @Override
    public CompletionStage<Void> pause(String vm) {
        return call("pausing " + vm, () -> {
            domains.pause(vm);
            return null;
        });
    }

    @Override
    public AutoCloseable subscribe(DriveEventListener listener) {
        return listeners.add(listener);
    }

    @Override
    public void announce(DriveEvent event) {
        EventQueue q = events;
        if (q != null) {
            q.submit(event.vm(), () -> translator.announced(event));
        }
    }

    private void publish(DriveEvent event) {
        listeners.publish(event, DriveEventListener::onEvent);
    }

    /**
     * A libvirt call on a call thread, failing with the contract's exception when libvirt is down,
     * refuses, or the call queue is full. Anything else thrown fails the call and, through the
     * call thread's failure handler, breaks the adapter.
     */
    private <T> CompletionStage<T> call(String what, Supplier<T> body) {
        LibvirtConnection c = connection;
        if (c == null || !c.connected()) {
            return CompletableFuture.failedFuture(new HypervisorException(what + ": "
                    + (c == null ? "the libvirt adapter is not started" : c.unavailable())));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    result.complete(body.get());
                } catch (UnknownVmException e) {
                    // Gone without our hearing of it (its lifecycle event lost, or not yet handled): no longer listed.
                    announce(new DriveEvent.Stopped(e.vm()));
                    result.completeExceptionally(new UnknownVmException(e.vm(), what + ": " + e.getMessage(), e));
                } catch (HypervisorException e) {
                    result.completeExceptionally(new HypervisorException(what + ": " + e.getMessage(), e));
                } catch (Throwable t) {
                    result.completeExceptionally(new HypervisorException(what + ": the libvirt adapter failed: " + t, t));
                    throw t;
                }
            });
        } catch (RejectedExecutionException e) {
            callsRefused.incrementAndGet();
            return CompletableFuture.failedFuture(new HypervisorException(what + ": the libvirt adapter is busy: "
                    + e.getMessage()));
        }
        return result;
    }
}
