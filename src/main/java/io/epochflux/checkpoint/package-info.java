/**
 * Checkpoints of a whole training stream and exact resume: {@link io.epochflux.checkpoint.Checkpoints}
 * is an operator that, every N epochs, takes the run's {@link io.epochflux.train.Checkpoint}
 * (weights, optimizer state, epoch, shuffle position) together with the states of the stop rules
 * above it into a {@link io.epochflux.checkpoint.ResumePoint}, on the run's thread between two
 * epochs; {@link io.epochflux.checkpoint.CheckpointStore} keeps the last K of them as files
 * written atomically with fsync, and finds the newest good one, refusing damaged and foreign
 * files by name. This package sits where both {@code train} and {@code stop} are visible, so
 * neither has to know the other.
 */
package io.epochflux.checkpoint;
