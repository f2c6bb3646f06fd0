/**
 * Learning-rate operators: Reactor operators that steer a training run between epochs, as Keras'
 * {@code ReduceLROnPlateau} and {@code LearningRateScheduler} callbacks do. Training is
 * demand-driven, so an operator that sees epoch {@code n} on the run's thread sets the rate of
 * epoch {@code n + 1} before it starts ({@link io.epochflux.train.RunLink#setLearningRate}); with
 * one in the chain, every epoch carries the rate in force as {@code learning_rate}. They compose
 * with the stop rules of {@code io.epochflux.stop} in any order, and their state goes into the
 * checkpoints of {@link io.epochflux.stop.RuleStates}.
 */
package io.epochflux.schedule;
