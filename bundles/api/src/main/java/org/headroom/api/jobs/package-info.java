/**
 * Storage jobs: work on a volume done under its lease and checked against its generation, whose
 * outcome any host can read back from storage alone, whatever happened to the host that ran it.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.api.jobs;
