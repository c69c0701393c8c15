/**
 * An asynchronous QMP client ({@link org.headroom.qmp.QmpClient}): per connection one reader and one
 * writer thread, replies matched to calls by id within QEMU's in-flight window, events dispatched
 * to subscribers through queues bounded in count and bytes, on a timer and a dispatcher shared by
 * all clients ({@link org.headroom.qmp.QmpThreads}); typed calls for what Headroom uses
 * ({@link org.headroom.qmp.Qmp}); and the bundle's service ({@link org.headroom.qmp.QmpService}).
 */
@org.osgi.annotation.versioning.Version("0.2.0")
package org.headroom.qmp;
