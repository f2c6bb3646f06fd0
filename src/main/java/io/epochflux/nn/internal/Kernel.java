package io.epochflux.nn.internal;

import io.epochflux.data.Dataset;

/**
 * A live copy of a network's parameters with everything needed to train and evaluate it: the
 * fused kernel over heap arrays that training uses ({@link HeapKernel}, with large matrix
 * products on BLAS), and the all-ND4J reference ({@link Nd4jKernel}). A kernel is used by one
 * thread at a time.
 */
public interface Kernel extends AutoCloseable {

    /** Data in the form a kernel reads, prepared once and reused every epoch. */
    interface Data {
        /** @return the number of examples */
        int size();
    }

    /** @return a short name for reports, {@code heap/vector-512} or {@code nd4j/FLOAT} */
    String name();

    /**
     * Prepares a dataset for this kernel.
     *
     * @param dataset examples whose width matches the network
     * @return a handle for {@link #trainBatch} and {@link #evaluate}
     */
    Data prepare(Dataset dataset);

    /**
     * Runs forward, backward and one optimizer step on the examples
     * {@code order[from..to)}, and adds their loss and accuracy (before the step) to the tally.
     *
     * @param data prepared training data
     * @param order example indices
     * @param from first position in {@code order}, inclusive
     * @param to last position, exclusive; at most the batch size the kernel was made for
     * @param tally where the batch's figures go
     */
    void trainBatch(Data data, int[] order, int from, int to, Tally tally);

    /**
     * Sets the learning rate of the optimizer steps from the next {@link #trainBatch} on; the
     * optimizer's other state (velocities, moments, step count) is kept, as when Keras assigns
     * {@code optimizer.learning_rate}.
     *
     * @param learningRate {@code >= 0} and finite
     * @throws IllegalStateException when the kernel was made for evaluation only
     */
    void setLearningRate(double learningRate);

    /**
     * Adds the loss and accuracy of every example of {@code data} to the tally.
     *
     * @param data prepared data
     * @param tally where the figures go
     */
    void evaluate(Data data, Tally tally);

    /**
     * Runs the network forward.
     *
     * @param x {@code rows * inputs} values, row-major
     * @param rows the number of rows
     * @return {@code rows * outputs} values, row-major
     */
    float[] predict(float[] x, int rows);

    /**
     * Copies the parameters out.
     *
     * @param dst the flat vector to fill, as {@link Layout} arranges it
     */
    void readParameters(float[] dst);

    /**
     * Replaces the parameters.
     *
     * @param src the flat vector, as {@link Layout} arranges it
     */
    void writeParameters(float[] src);

    /**
     * Copies the optimizer state out, for a checkpoint.
     *
     * @return the state, its slots laid out as {@link Layout} lays out the parameters
     * @throws IllegalStateException for a kernel made for evaluation only
     */
    io.epochflux.nn.OptimizerState exportOptimizerState();

    /**
     * Replaces the optimizer state with one exported from a kernel of the same shape and optimizer.
     *
     * @param state the state
     * @throws IllegalArgumentException when it is of another optimizer or shape
     */
    void importOptimizerState(io.epochflux.nn.OptimizerState state);

    /** Releases what the kernel allocated; it cannot be used afterwards. */
    @Override
    void close();
}
