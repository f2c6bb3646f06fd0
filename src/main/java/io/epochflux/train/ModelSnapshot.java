package io.epochflux.train;

import java.util.Optional;

/**
 * The weights of a model at one moment (the end of an epoch), which {@link #restore()} puts back
 * into that model. Early stopping keeps the best epoch's snapshot and restores it.
 *
 * <p>The trainer's snapshots restore without blocking the calling thread while their run is
 * still going: from another thread (a cancelling subscriber's, say) the restore is handed to the
 * run, which applies it between two batches, before it releases the model. Once the run has
 * released the model, a restore writes the weights into the model directly.
 */
@FunctionalInterface
public interface ModelSnapshot {

    /** Puts these weights back into the model they were taken from. */
    void restore();

    /**
     * Returns the weights themselves, for saving them (a checkpoint of a rule that keeps its best
     * weights). The trainer's snapshots have them; a snapshot written as a lambda does not.
     *
     * @return a copy of the flat parameter vector, or empty
     */
    default Optional<float[]> parameters() {
        return Optional.empty();
    }

    /**
     * Returns the epoch whose end these weights are from.
     *
     * @return the epoch, 1-based; 0 when unknown
     */
    default int epoch() {
        return 0;
    }
}
