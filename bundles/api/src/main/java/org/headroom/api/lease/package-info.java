/**
 * Leases on shared storage (sanlock): a domain's lockspace, which this host joins under its host
 * id, and the leases in it — the SDM lease (holding it is being the SPM) and one per volume (held
 * by whoever runs a storage job on it).
 */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.api.lease;
