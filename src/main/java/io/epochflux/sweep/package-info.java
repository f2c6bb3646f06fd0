/**
 * Hyper-parameter sweeps as one reactive stream: a {@link io.epochflux.sweep.SearchSpace} (a grid,
 * or seeded random samples) gives {@link io.epochflux.sweep.TrialConfig}s, a
 * {@link io.epochflux.sweep.Sweep} trains them as concurrent training streams on the bounded
 * training pool and emits {@link io.epochflux.sweep.TrialEvent}s, and a
 * {@link io.epochflux.sweep.Pruner} (median, successive halving, ASHA, Hyperband) is a stop rule
 * across trials: it ends a losing trial's stream with a {@code PRUNED}
 * {@link io.epochflux.train.StopReport}, which stops its training. A trial waiting for a decision
 * holds no thread; it simply does not ask for its next epoch.
 */
package io.epochflux.sweep;
