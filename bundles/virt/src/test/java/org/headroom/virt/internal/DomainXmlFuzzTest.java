package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on {@link DomainXml#parse}: the domain XML the hook forwards (not trusted) and libvirt
 * returns. It gives a domain or refuses with {@link DomainXml.MalformedDomainXmlException},
 * nothing else (no other exception, no error); what it gives is usable: a name, each disk with a
 * target, and a node name for the disk's top image that reads back as the same drive when a
 * libvirt event names it. The corpus holds the domain XML of the tests (a live XML of libvirt 9.0,
 * the definitions the integration tests start), and XML that must be refused (doctypes, entities).
 */
@ExtendWith(FuzzInputTimeout.class)
class DomainXmlFuzzTest {

    @FuzzTest
    void parse(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        DomainXml xml;
        try {
            xml = DomainXml.parse(text);
        } catch (DomainXml.MalformedDomainXmlException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(xml.name()).isNotBlank().isEqualTo(xml.name().strip());
        assertThat(xml.uuid()).isNotNull();
        for (DomainXml.Disk disk : xml.disks()) {
            assertThat(disk.target()).isNotEmpty();
            assertThat(disk.type()).isNotNull();
            assertThat(disk.format()).isNotNull();
            assertThat(DriveName.parse(disk.indexedName())).as("the event name of %s", disk)
                    .isEqualTo(new DriveName(disk.target(), disk.index()));
        }
    }
}
