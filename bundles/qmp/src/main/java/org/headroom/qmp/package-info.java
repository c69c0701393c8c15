/**
 * An asynchronous QMP client: one reader per connection, replies matched to calls by id, events
 * dispatched to subscribers through bounded queues, and typed calls for what Headroom uses.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package org.headroom.qmp;
