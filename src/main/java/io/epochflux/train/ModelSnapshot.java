package io.epochflux.train;

/**
 * The weights of a model at one moment (the end of an epoch), which {@link #restore()} puts back
 * into that model. Early stopping keeps the best epoch's snapshot and restores it.
 */
@FunctionalInterface
public interface ModelSnapshot {

    /** Puts these weights back into the model they were taken from. */
    void restore();
}
