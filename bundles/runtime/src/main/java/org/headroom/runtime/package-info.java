/**
 * What every Headroom bundle runs on: one clock and scheduler abstraction ({@link Scheduler}), so that
 * timing logic is tested without sleeping; threads with names that catch and report whatever they
 * throw ({@link NamedThreads}); schedulers and worker pools whose queues are bounded
 * ({@link ThreadScheduler}); and listener lists that survive a failing listener ({@link Listeners}).
 */
@org.osgi.annotation.versioning.Version("0.1.0")
@org.osgi.annotation.bundle.Export
package org.headroom.runtime;
