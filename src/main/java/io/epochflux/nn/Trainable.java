package io.epochflux.nn;

import io.epochflux.data.Dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model that the trainer of {@code io.epochflux.train} can drive, whatever engine computes it:
 * {@link Sequential} on the fused kernel, or a DL4J network through {@code io.epochflux.dl4j.Dl4jModel}.
 * Everything above the trainer (stop rules, learning-rate operators, checkpoints, meters, run
 * handles, sweeps, the service) sees only this interface.
 *
 * <p>A model trains in place, one {@link Session} at a time: a run that finds the model held by
 * another session queues with {@link #openOrQueue} (holding no thread) and is told when the model
 * is free. Its weights are read and written between two batches, never inside one
 * ({@link ModelLease}). The parameters cross this interface as one flat {@code float[]} in an
 * order of the engine's choosing, stable for a given model: what {@link Session#parameters()}
 * gives, {@link Session#restore(float[])} takes back.
 */
public interface Trainable {

    /**
     * Describes the model's shape for reports and checkpoints; two models with the same
     * description take each other's parameters and checkpoints.
     *
     * @return for example {@code 784-2(relu)-10(softmax)}
     */
    String describe();

    /**
     * Names the engine that computes the model, for reports and meters.
     *
     * @return {@code fused} or {@code dl4j}
     */
    String engine();

    /**
     * Returns the number of trainable parameters.
     *
     * @return the length of {@link Session#parameters()}
     */
    int parameterCount();

    /**
     * Checks that a dataset fits the model's inputs and outputs.
     *
     * @param data the examples
     * @param role what the data is for, named in the message ({@code train}, {@code validation})
     * @throws IllegalArgumentException naming the role, the dataset and what differs
     */
    void checkFits(Dataset data, String role);

    /**
     * Names the arithmetic a session of this batch size runs on, for reports.
     *
     * @param batchSize examples per step, {@code >= 1}
     * @return for example {@code heap/vector-512}; by default the {@link #engine()}
     */
    default String kernelFor(int batchSize) {
        return engine();
    }

    /**
     * Tells how many BLAS threads a session of this batch size uses, for reports.
     *
     * @param batchSize examples per step, {@code >= 1}
     * @return threads, {@code >= 1}; by default 1
     */
    default int blasThreadsFor(int batchSize) {
        return 1;
    }

    /**
     * Saves the model atomically in its engine's own format, waiting for a batch in flight.
     *
     * @param file the target; replaced only once the whole file is written
     * @throws IOException when writing fails
     */
    void save(Path file) throws IOException;

    /**
     * Tells whether the model brings its own optimizer (a DL4J network's updater): then the
     * trainer's optimizer is not used, and a trainer whose optimizer was set explicitly is refused.
     *
     * @return true when the model trains with its own update rule
     */
    default boolean ownsOptimizer() {
        return false;
    }

    /**
     * Returns the learning rate the model's first batch will train at.
     *
     * @param configured the trainer's optimizer
     * @return the trainer's rate, or the model's own when it {@link #ownsOptimizer() owns its optimizer}
     */
    default double learningRate(Optimizer configured) {
        return configured.learningRate();
    }

    /**
     * Checks, when a run is subscribed with a learning-rate operator in its chain, that the
     * learning rate can be steered: a model whose layers train at different rates, or that
     * carries a schedule of its own, refuses.
     *
     * @throws IllegalStateException saying why the rate cannot be steered
     */
    default void checkLearningRateControl() {
    }

    /**
     * Opens a training session if no session holds the model; otherwise queues {@code whenFree},
     * which the thread that ends the session in progress runs once the model is free (then try
     * again). Never waits for a batch.
     *
     * @param train the training examples
     * @param optimizer the trainer's update rule (ignored by a model that {@link #ownsOptimizer() owns its optimizer})
     * @param batchSize examples per step, {@code >= 1}
     * @param whenFree run once, soon after the model is free; it must not block
     * @return the session, or empty when the model is busy and {@code whenFree} was queued
     */
    Optional<Session> openOrQueue(Dataset train, Optimizer optimizer, int batchSize, Runnable whenFree);

    /**
     * Copies the parameters if no session holds the model, without waiting.
     *
     * @return the flat parameters, or empty when the model is busy
     */
    Optional<float[]> parametersIfIdle();

    /**
     * Copies the current parameters, waiting for a batch in flight.
     *
     * @return the flat parameters
     */
    float[] parameters();

    /**
     * Puts parameters back, waiting for a batch in flight.
     *
     * @param values flat parameters of this model, as {@link #parameters()} gives them
     * @throws IllegalArgumentException when the count is wrong
     */
    void restore(float[] values);

    /**
     * Computes loss and the metric over a dataset (means over the examples), waiting for a batch
     * in flight.
     *
     * @param data examples that {@link #checkFits fit} the model
     * @param batchSize rows per forward pass, {@code >= 1}; the figures do not depend on it
     * @return the figures
     */
    Evaluation evaluate(Dataset data, int batchSize);

    /**
     * One run's hold on a model: it trains batches in the order the trainer chose, keeps the
     * epoch's running figures, evaluates, and copies parameters and optimizer state in and out.
     * Everything but {@link #close()} belongs to the thread that trains, between two batches.
     */
    interface Session extends AutoCloseable {

        /**
         * Returns the number of steps in an epoch.
         *
         * @return {@code ceil(trainingSize / batchSize)}
         */
        int batchesPerEpoch();

        /**
         * Trains on one batch: the training examples {@code order[from..to)}, one optimizer step.
         * Their loss and metric, before the step, join the running figures.
         *
         * @param order a permutation of the training examples
         * @param from first position, inclusive
         * @param to last position, exclusive
         * @return false, without training, once the session is closed
         */
        boolean trainBatch(int[] order, int from, int to);

        /** Starts the running figures afresh, as at the start of an epoch. */
        void resetRunning();

        /**
         * Returns the mean loss of the examples trained on since the last reset.
         *
         * @return Keras' running training loss; NaN before the first batch
         */
        double runningLoss();

        /**
         * Returns the running metric: accuracy for classes, mean absolute error for regression.
         *
         * @return the value named by {@link #metricName()}; NaN before the first batch
         */
        double runningMetric();

        /**
         * Names the metric that stands beside the loss.
         *
         * @return {@code accuracy} or {@code mae}
         */
        String metricName();

        /**
         * Evaluates the current weights.
         *
         * @param data examples that fit the model
         * @return mean loss and the metric
         */
        Evaluation evaluate(Dataset data);

        /**
         * Copies the current parameters.
         *
         * @return the flat parameters
         */
        float[] parameters();

        /**
         * Puts parameters back.
         *
         * @param values the flat parameters
         */
        void restore(float[] values);

        /**
         * Copies everything the next batch depends on besides the parameters, for a checkpoint.
         *
         * @return the optimizer's state
         */
        OptimizerState optimizerState();

        /**
         * Puts back a state taken by {@link #optimizerState()} from a session of the same model.
         *
         * @param state the state
         * @throws IllegalArgumentException when it belongs to another optimizer or shape
         */
        void restoreOptimizerState(OptimizerState state);

        /**
         * Sets the learning rate from the next batch on, keeping the rest of the optimizer's state.
         *
         * @param learningRate {@code >= 0} and finite
         */
        void setLearningRate(double learningRate);

        /** Remembers the current weights as the point to {@link #rollBack()} to: called at the start of each epoch. */
        void markRollbackPoint();

        /**
         * Puts back the weights of the last {@link #markRollbackPoint()}: undoes an unfinished epoch.
         *
         * @return false when no point was marked
         */
        boolean rollBack();

        /** Called once an epoch's batches are trained and evaluated, before it is emitted (DL4J counts epochs). */
        default void epochEnded() {
        }

        /** Ends the session: the model keeps the trained weights and is released. Idempotent. */
        @Override
        void close();
    }
}
