/**
 * Spring Boot auto-configuration (Spring optional: nothing here loads unless Boot does): the
 * {@code epochflux.*} properties, a training pool, a {@link io.epochflux.runs.RunRegistry} whose
 * runs end before the web server stops, meters on the application's {@code MeterRegistry}, and
 * {@link io.epochflux.spring.EpochfluxRuns}, which gives a run's viewer as WebFlux
 * {@code ServerSentEvent}s in {@code serve}'s event form and its status as JSON.
 */
package io.epochflux.spring;
