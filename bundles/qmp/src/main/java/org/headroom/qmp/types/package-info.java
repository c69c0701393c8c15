/** Typed arguments and replies of the QMP commands Headroom uses. Unknown keys are ignored. */
@org.osgi.annotation.versioning.Version("0.1.0")
package org.headroom.qmp.types;
