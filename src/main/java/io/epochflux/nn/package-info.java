/**
 * Neural networks on ND4J: {@link io.epochflux.nn.Sequential} stacks of
 * {@link io.epochflux.nn.Dense} layers with Keras' activations, losses, initialisers and
 * optimizers ({@link io.epochflux.nn.Optimizer}); batch-by-batch training through a
 * {@link io.epochflux.nn.TrainingSession}; evaluation; immutable parameter snapshots
 * ({@link io.epochflux.nn.Parameters}); and model files. Training runs in a fused kernel over
 * heap arrays, with the matrix products of large layers on ND4J's BLAS; the choice is made per
 * network and batch size and is not part of the API. Nothing here knows about Reactor.
 */
package io.epochflux.nn;
