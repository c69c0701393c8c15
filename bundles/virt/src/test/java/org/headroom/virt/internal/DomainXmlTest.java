package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DomainXmlTest {

    /** Trimmed from a live XML of libvirt 9.0 here: a read-only boot disk and a qcow2 disk on a block device. */
    static final String LIVE = """
            <domain type='qemu' id='3'>
              <name>guest1</name>
              <uuid>0b4f6a8e-1d2c-4e5f-8a9b-0c1d2e3f4a5b</uuid>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='/var/lib/boot.img' index='2'/>
                  <target dev='vda' bus='virtio'/>
                  <readonly/>
                </disk>
                <disk type='block' device='disk'>
                  <driver name='qemu' type='qcow2' cache='none' io='native' error_policy='stop'/>
                  <source dev='/run/headroom/storage/a/b/c' index='1'/>
                  <backingStore/>
                  <target dev='vdb' bus='virtio'/>
                </disk>
                <disk type='file' device='cdrom'>
                  <target dev='sda' bus='sata'/>
                </disk>
              </devices>
            </domain>
            """;

    @Test
    void readsNameUuidAndDisksWithTheirTopIndex() {
        DomainXml xml = DomainXml.parse(LIVE);

        assertThat(xml.name()).isEqualTo("guest1");
        assertThat(xml.uuid()).isEqualTo("0b4f6a8e-1d2c-4e5f-8a9b-0c1d2e3f4a5b");
        assertThat(xml.disks()).containsExactly(
                new DomainXml.Disk("vda", "file", "/var/lib/boot.img", "raw", OptionalInt.of(2), true),
                new DomainXml.Disk("vdb", "block", "/run/headroom/storage/a/b/c", "qcow2", OptionalInt.of(1), false),
                new DomainXml.Disk("sda", "file", null, "", OptionalInt.empty(), true));
        assertThat(xml.disks().get(1).indexedName()).isEqualTo("vdb[1]");
        assertThat(xml.disks().get(2).indexedName()).isEqualTo("sda");
    }

    @Test
    void aPersistentDefinitionHasNoIndexes() {
        DomainXml xml = DomainXml.parse(LIVE.replace(" index='1'", "").replace(" index='2'", ""));

        assertThat(xml.disks()).allSatisfy(d -> assertThat(d.index()).isEmpty());
    }

    @Test
    void badXmlIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> DomainXml.parse("<domain><name>x</name>"))
                .isInstanceOf(DomainXml.MalformedDomainXmlException.class).hasMessageContaining("does not parse");
        assertThatThrownBy(() -> DomainXml.parse(""))
                .isInstanceOf(DomainXml.MalformedDomainXmlException.class);
        assertThatThrownBy(() -> DomainXml.parse("<network><name>default</name></network>"))
                .hasMessageContaining("not a <domain>");
        assertThatThrownBy(() -> DomainXml.parse("<domain><uuid>u</uuid></domain>"))
                .hasMessageContaining("names no domain");
        assertThatThrownBy(() -> DomainXml.parse(LIVE.replace("index='1'", "index='one'")))
                .hasMessageContaining("vdb: source index 'one' is no number");
        assertThatThrownBy(() -> DomainXml.parse(LIVE.replace("<target dev='vdb' bus='virtio'/>", "")))
                .hasMessageContaining("no <target dev");
    }

    @Test
    void entitiesAndDoctypesAreNotFollowed() {
        String xxe = "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                + "<domain><name>&x;</name></domain>";

        assertThatThrownBy(() -> DomainXml.parse(xxe)).isInstanceOf(DomainXml.MalformedDomainXmlException.class);
    }

    @Test
    void driveNamesOfEvents() {
        assertThat(DriveName.parse("vda[3]")).isEqualTo(new DriveName("vda", OptionalInt.of(3)));
        assertThat(DriveName.parse("vda")).isEqualTo(new DriveName("vda", OptionalInt.empty()));
        assertThat(DriveName.parse("vda[x]")).isEqualTo(new DriveName("vda[x]", OptionalInt.empty()));
        assertThat(DriveName.parse("vda[99999999999]").index()).isEmpty();
    }
}
