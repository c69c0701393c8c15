/** Typed views of the QMP events Headroom reacts to; see {@link org.headroom.qmp.QmpEvent#as}. */
@org.osgi.annotation.versioning.Version("0.1.0")
package org.headroom.qmp.events;
