/**
 * Stop rules as Reactor operators over a training stream: {@link io.epochflux.stop.EarlyStopping}
 * with Keras' exact semantics, the other rules of {@link io.epochflux.stop.StopWhen} (target,
 * divergence, non-finite values, time budget, time patience, your own condition), and their
 * composition ({@link io.epochflux.stop.StopRule#anyOf}, {@link io.epochflux.stop.StopRule#allOf}).
 * A rule ends the stream by emitting the deciding epoch with its
 * {@link io.epochflux.train.StopReport} and cancelling upstream, which stops the trainer.
 */
package io.epochflux.stop;
