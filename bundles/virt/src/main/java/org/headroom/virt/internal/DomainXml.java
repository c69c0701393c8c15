package org.headroom.virt.internal;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * What Headroom reads from a libvirt domain XML: the VM's name and UUID and its disks, each with
 * the path of its top image and that image's backing-chain index ({@code <source index='N'>} in
 * the live XML: libvirt names the node {@code vda[N]}, and N changes when the chain does).
 * Pure: parses a string, hands back values; the hook's XML comes from outside and is not trusted
 * (no DTDs, no external entities, at most {@link #MAX_DEPTH} levels deep).
 */
public record DomainXml(String name, String uuid, List<Disk> disks) {
    /**
     * Far deeper than any domain (a backing chain of N images nests N + 5 levels), far shallower
     * than what overflows a thread's stack when the DOM reads a deep element's text (about 10,000).
     */
    public static final int MAX_DEPTH = 1000;

    /** XML that is no domain definition. */
    public static final class MalformedDomainXmlException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        MalformedDomainXmlException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A disk of the domain.
     *
     * @param target   the guest device name ("vda"): how libvirt addresses the drive
     * @param type     "block", "file", "network", ...
     * @param path     the top image: {@code source/@dev} or {@code source/@file}; null for network disks and empty drives
     * @param format   {@code driver/@type} ("qcow2", "raw"), or "" when not given
     * @param index    the top image's chain index in the live XML, when libvirt gave one
     * @param readOnly a read-only disk or a CD-ROM: never written, never extended
     */
    public record Disk(String target, String type, String path, String format, OptionalInt index, boolean readOnly) {

        /** libvirt's name of the top image's node, on which thresholds are armed: {@code vda[N]}. */
        public String indexedName() {
            return new DriveName(target, index).toString();
        }
    }

    public static DomainXml parse(String xml) {
        Document doc;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setExpandEntityReferences(false);
            factory.setAttribute("jdk.xml.maxElementDepth", MAX_DEPTH);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null); // errors are thrown, not printed on stderr
            doc = builder.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new MalformedDomainXmlException("the domain XML does not parse: " + e.getMessage(), e);
        }
        Element domain = doc.getDocumentElement();
        if (!"domain".equals(domain.getTagName())) {
            throw new MalformedDomainXmlException("the XML is a <" + domain.getTagName() + ">, not a <domain>", null);
        }
        String name = text(child(domain, "name"));
        if (name.isEmpty()) {
            throw new MalformedDomainXmlException("the domain XML names no domain (<name> missing or empty)", null);
        }
        List<Disk> disks = new ArrayList<>();
        Element devices = child(domain, "devices");
        if (devices != null) {
            for (Element disk : children(devices, "disk")) {
                disks.add(disk(disk));
            }
        }
        return new DomainXml(name, text(child(domain, "uuid")), List.copyOf(disks));
    }

    private static Disk disk(Element disk) {
        Element target = child(disk, "target");
        String dev = target == null ? "" : target.getAttribute("dev");
        if (dev.isEmpty()) {
            throw new MalformedDomainXmlException("a <disk> has no <target dev=...>", null);
        }
        if (!DriveName.TARGET.matcher(dev).matches()) {
            throw new MalformedDomainXmlException("a <disk> has target dev '" + dev + "', which libvirt's events cannot name", null);
        }
        Element source = child(disk, "source");
        String path = null;
        OptionalInt index = OptionalInt.empty();
        if (source != null) {
            path = !source.getAttribute("dev").isEmpty() ? source.getAttribute("dev")
                    : !source.getAttribute("file").isEmpty() ? source.getAttribute("file") : null;
            String idx = source.getAttribute("index");
            if (!idx.isEmpty()) {
                if (!DriveName.INDEX.matcher(idx).matches()) {
                    throw new MalformedDomainXmlException("disk " + dev + ": source index '" + idx + "' is no number", null);
                }
                index = OptionalInt.of(Integer.parseInt(idx));
            }
        }
        Element driver = child(disk, "driver");
        String device = disk.getAttribute("device");
        boolean readOnly = child(disk, "readonly") != null || "cdrom".equals(device) || "floppy".equals(device);
        return new Disk(dev, disk.getAttribute("type"), path, driver == null ? "" : driver.getAttribute("type"),
                index, readOnly);
    }

    private static Element child(Element parent, String tag) {
        List<Element> all = children(parent, tag);
        return all.isEmpty() ? null : all.get(0);
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                result.add(e);
            }
        }
        return result;
    }

    private static String text(Element e) {
        return e == null ? "" : e.getTextContent().strip();
    }
}
