/**
 * Training as a reactive stream: {@link io.epochflux.train.Trainer#fit} returns a cold
 * {@code Flux<}{@link io.epochflux.train.EpochMetrics}{@code >}, one epoch per unit of demand,
 * on a bounded training pool ({@link io.epochflux.train.TrainingPool}); cancelling it stops training
 * without blocking the canceller. This package also holds the stream's
 * vocabulary that stop rules and reports share ({@link io.epochflux.train.StopReport},
 * {@link io.epochflux.train.StopReason}, {@link io.epochflux.train.ModelSnapshot}) and the
 * {@link io.epochflux.train.History} that collects a run. It knows nothing of the stop rules or
 * of Micrometer.
 */
package io.epochflux.train;
