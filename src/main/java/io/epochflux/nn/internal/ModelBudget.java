package io.epochflux.nn.internal;

import io.epochflux.internal.MemoryBudget;

import java.util.Locale;

/**
 * Checks that a model and the buffers training it needs fit the heap before its parameters are
 * allocated, so that {@code --hidden 1000000} is a one-line error and not an
 * {@link OutOfMemoryError} some way into the run.
 *
 * <p>The count is deliberately generous: each parameter is a float held {@value #COPIES} times
 * (the weights, their gradients, up to two optimizer moments for Adam, and a snapshot for
 * restoring the best weights), plus the activations and their deltas for one batch at every layer.
 */
public final class ModelBudget {

    /** How many floats a parameter costs while training: weights, gradients, 2 Adam moments, snapshot. */
    public static final int COPIES = 5;
    /** The batch assumed when the real one is not known yet: Keras' default. */
    public static final int DEFAULT_BATCH = 32;

    private ModelBudget() {
    }

    /**
     * Returns the heap a layout needs to train.
     *
     * @param layout the network
     * @param batchSize examples per step, {@code >= 1}
     * @return bytes, saturating at {@link Long#MAX_VALUE}
     */
    public static long trainingBytes(Layout layout, int batchSize) {
        long parameters = MemoryBudget.product(layout.parameterCount(), Float.BYTES, COPIES);
        long activations = MemoryBudget.product(Math.max(1, batchSize), layout.maxWidth(), Float.BYTES,
                2L * (layout.layers() + 1));
        long sum = parameters + activations;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /**
     * Refuses a layout that would not fit the heap with {@link #DEFAULT_BATCH}.
     *
     * @param layout the network
     * @throws IllegalArgumentException naming the figures when it does not fit
     */
    public static void check(Layout layout) {
        check(layout, DEFAULT_BATCH);
    }

    /**
     * Refuses a layout that would not fit the heap.
     *
     * @param layout the network
     * @param batchSize examples per step
     * @throws IllegalArgumentException naming the figures when it does not fit
     */
    public static void check(Layout layout, int batchSize) {
        MemoryBudget.checkFits(String.format(Locale.ROOT,
                "the model %s (%,d parameters x %d bytes x %d copies, plus batch %d's activations)",
                layout.describe(), layout.parameterCount(), Float.BYTES, COPIES, batchSize),
                trainingBytes(layout, batchSize), "use narrower layers");
    }
}
