/**
 * The reactive training service behind {@code epochflux serve}: an
 * {@link io.epochflux.server.EpochfluxServer} on Reactor Netty that starts runs from JSON
 * ({@link io.epochflux.server.RunRequest}, the {@code train} command's settings), streams their
 * epochs as Server-Sent Events from {@link io.epochflux.runs.RunHandle}s, cancels them, serves
 * their history and model, the Prometheus scrape and the live page, with limits, a bearer token off
 * loopback, and Host/Origin checks on it. Handlers never block; training runs on the server's pool.
 */
package io.epochflux.server;
