package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.headroom.api.spm.SpmLeadership;
import org.headroom.api.storage.VolumeRef;
import org.headroom.mailbox.MailboxStatus;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The component's activation and deactivation, without OSGi: DS would call the same methods. */
class MailboxComponentTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path root;

    /** A configuration as Configuration Admin would hand it over: the metatype defaults, with {@code values}. */
    static MailboxConfig config(Map<String, Object> values) {
        return (MailboxConfig) Proxy.newProxyInstance(MailboxConfig.class.getClassLoader(), new Class<?>[] {MailboxConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue());
    }

    /** Activates {@code c} as DS would: the configuration as annotation and as properties. */
    static void activate(MailboxComponent c, Map<String, Object> values) throws java.io.IOException {
        c.activate(config(values), values);
    }

    private MailboxComponent component(FileStorageDomain domain) {
        MailboxComponent c = new MailboxComponent();
        c.domains = DomainSet.of(root.resolve("run"), domain);
        return c;
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(name) && t.isAlive());
    }

    @Test
    void anActivationThatFailsHalfWayStopsTheSpmSideItStarted() {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        MailboxComponent c = component(domain);
        assertThat(threadAlive("mailbox-spm")).isFalse();

        c.bindLeadership(leadership(domain.uuid(), new java.util.ArrayList<>()));
        assertThatThrownBy(() -> activate(c, Map.of("domain", domain.uuid().toString(), "host__id", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host id");

        await("the SPM side's threads end").atMost(Duration.ofSeconds(10)).until(() -> !threadAlive("mailbox-spm"));
    }

    @Test
    void theSpmServesItsOwnRequestsInProcessAndSaysSo() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, MIB);
        MailboxComponent c = component(domain);
        c.bindLeadership(leadership(domain.uuid(), new java.util.ArrayList<>()));
        activate(c, Map.of("domain", domain.uuid().toString(), "host__id", 4));
        try {
            assertThat(c.extend(v, 8 * MIB).toCompletableFuture().get()).isEqualTo(8 * MIB);
            MailboxStatus s = c.status();
            assertThat(s.spm()).isTrue();
            assertThat(s.hostId()).isEqualTo(4);
            assertThat(s.inProcess().replies()).isEqualTo(1);
            assertThat(s.host().requests()).as("not through the mailbox").isZero();
            assertThat(s.health()).isEqualTo("ok");
        } finally {
            c.deactivate();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !threadAlive("mailbox-spm") && !threadAlive("mailbox-host-4"));
    }

    private static SpmLeadership leadership(UUID domain, java.util.List<String> resigned) {
        return new SpmLeadership() {
            @Override
            public UUID domain() {
                return domain;
            }

            @Override
            public long sinceMillis() {
                return 1;
            }

            @Override
            public java.util.Optional<java.util.Set<Integer>> liveHosts() {
                return java.util.Optional.empty();
            }

            @Override
            public void resign(String why) {
                resigned.add(why);
            }
        };
    }

    @Test
    void theSpmSideServesWhileThisHostHoldsTheSdmLeaseAndStopsWhenItGoes() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, MIB);
        MailboxComponent c = component(domain);
        java.util.List<String> resigned = new java.util.ArrayList<>();
        activate(c, Map.of("domain", domain.uuid().toString(), "host__id", 3));
        try {
            assertThat(c.status().spm()).isFalse();
            assertThat(c.held()).isFalse();

            // Another domain's SDM lease does not make this mailbox's SPM.
            c.bindLeadership(leadership(UUID.randomUUID(), resigned));
            assertThat(c.status().spm()).isFalse();

            SpmLeadership held = leadership(domain.uuid(), resigned);
            c.bindLeadership(held);
            assertThat(c.status().spm()).isTrue();
            assertThat(c.spmHostId()).isEqualTo(3);
            assertThat(threadAlive("mailbox-spm")).isTrue();
            assertThat(c.extend(v, 8 * MIB).toCompletableFuture().get()).as("in-process on the SPM").isEqualTo(8 * MIB);

            c.unbindLeadership(held);
            assertThat(c.status().spm()).isFalse();
            await("the SPM side's threads end").atMost(Duration.ofSeconds(10)).until(() -> !threadAlive("mailbox-spm"));
            assertThat(resigned).isEmpty();
        } finally {
            c.deactivate();
        }
    }

    @Test
    void leadershipBoundBeforeActivationStartsTheSpmSideWithIt() {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        MailboxComponent c = component(domain);
        c.bindLeadership(leadership(domain.uuid(), new java.util.ArrayList<>()));
        try {
            activate(c, Map.of("domain", domain.uuid().toString(), "host__id", 2));
            assertThat(c.status().spm()).isTrue();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            c.deactivate();
        }
        assertThat(c.status().spm()).isFalse();
    }

    @Test
    void theOldStaticSpmSettingMakesNoHostTheSpm() throws Exception {
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        MailboxComponent c = component(domain);
        activate(c, Map.of("domain", domain.uuid().toString(), "host__id", 1, "spm", true));
        try {
            assertThat(c.status().spm()).as("only the SDM lease makes the SPM").isFalse();
            assertThat(threadAlive("mailbox-spm")).isFalse();
        } finally {
            c.deactivate();
        }
    }
}
