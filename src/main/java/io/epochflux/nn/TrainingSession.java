package io.epochflux.nn;

import io.epochflux.data.Dataset;
import io.epochflux.nn.internal.Kernel;
import io.epochflux.nn.internal.Tally;

import java.util.List;
import java.util.Objects;

/**
 * One training run's hold on a {@link Sequential}: the kernel that trains it, its optimizer state,
 * the training data in the kernel's form, and the running loss and accuracy of the current epoch.
 * Made by {@link Sequential#startTraining}; the trainer of {@code io.epochflux.train} drives it.
 *
 * <p>{@link #trainBatch} runs under the model's {@link ModelLease}, so snapshots, restores and evaluations from
 * other threads fall between batches. {@link #stop()} may be called from any thread and never
 * waits: it sets a flag, the batch in flight (if any) completes, and no batch starts after it.
 * Everything else belongs to the thread that trains.
 *
 * <p>The training examples are read in place from the {@link Dataset} (which is immutable), so
 * however many sessions train on one dataset, its arrays exist once. The session keeps the
 * training data and one further dataset (the first one evaluated: the validation set) prepared;
 * any other dataset is prepared for each evaluation and dropped.
 */
public final class TrainingSession implements Trainable.Session {

    private final Sequential model;
    private final ModelLease lock;
    private final Kernel kernel;
    private final Kernel.Data train;
    private final int trainingSize;
    private final int batchSize;
    private final Dataset trainSet;
    private Dataset validationSet;
    private Kernel.Data validation;
    private final Tally running = new Tally();
    private final boolean regression;
    private float[] rollback;
    private volatile boolean stopped;
    private boolean closed;

    TrainingSession(Sequential model, ModelLease lock, Kernel kernel, Dataset train, int batchSize) {
        this.model = model;
        this.lock = lock;
        this.kernel = kernel;
        this.train = kernel.prepare(train);
        this.trainingSize = train.size();
        this.batchSize = batchSize;
        this.trainSet = train;
        this.regression = train.task() == io.epochflux.data.Task.REGRESSION;
    }

    /**
     * Returns the number of training examples.
     *
     * @return examples per epoch
     */
    public int trainingSize() {
        return trainingSize;
    }

    /**
     * Returns the batch size.
     *
     * @return examples per step (the last batch of an epoch may be smaller)
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns the number of steps in an epoch.
     *
     * @return {@code ceil(trainingSize / batchSize)}
     */
    @Override
    public int batchesPerEpoch() {
        return (trainingSize + batchSize - 1) / batchSize;
    }

    /**
     * Names the kernel that runs the arithmetic, for reports.
     *
     * @return for example {@code heap/vector-512} or {@code nd4j/FLOAT}
     */
    public String kernelName() {
        return kernel.name();
    }

    /**
     * Trains on one batch: forward, backward, one optimizer step, on the training examples
     * {@code order[from..to)}. Their loss and accuracy (before the step) join the running figures.
     *
     * @param order a permutation of the training examples
     * @param from first position, inclusive
     * @param to last position, exclusive; {@code to - from <= batchSize()}
     * @return false, without training, once the session is stopped or closed
     */
    @Override
    public boolean trainBatch(int[] order, int from, int to) {
        lock.lock();
        try {
            if (stopped || closed) {
                return false;
            }
            kernel.trainBatch(train, order, from, to, running);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the learning rate of the optimizer steps from the next batch on, keeping the rest of
     * the optimizer's state (momentum velocities, Adam's moments and step count), as assigning
     * Keras' {@code optimizer.learning_rate} does. From the training thread, between batches.
     *
     * @param learningRate {@code >= 0} and finite; 0 leaves the weights unchanged by later steps
     */
    @Override
    public void setLearningRate(double learningRate) {
        if (!(learningRate >= 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learningRate must be >= 0 and finite, but was " + learningRate);
        }
        lock.lock();
        try {
            checkOpen();
            kernel.setLearningRate(learningRate);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the mean loss of the examples trained on since the last reset.
     *
     * @return Keras' running training loss; NaN before the first batch
     */
    @Override
    public double runningLoss() {
        return running.meanLoss();
    }

    /**
     * Returns the accuracy of the examples trained on since the last reset.
     *
     * @return Keras' running training accuracy; NaN before the first batch
     */
    public double runningAccuracy() {
        return running.accuracy();
    }

    /**
     * Returns the running metric: the accuracy, or for a regression's training set the mean
     * absolute error.
     *
     * @return the value {@link #metricName()} names; NaN before the first batch
     */
    @Override
    public double runningMetric() {
        return regression ? running.meanAbsoluteError() : running.accuracy();
    }

    /**
     * Names the running metric.
     *
     * @return {@code accuracy}, or {@code mae} when the training set is a regression's
     */
    @Override
    public String metricName() {
        return regression ? Evaluation.MAE : Evaluation.ACCURACY;
    }

    /**
     * Returns how many examples were trained on since the last reset.
     *
     * @return examples
     */
    public long runningExamples() {
        return running.examples();
    }

    /** Starts the running figures afresh, as at the start of an epoch. */
    @Override
    public void resetRunning() {
        running.reset();
    }

    /**
     * Evaluates the current weights on a dataset. A dataset is converted for the kernel once and
     * kept, so evaluating the validation set every epoch costs only the arithmetic.
     *
     * @param data examples of the model's width
     * @return mean loss and accuracy
     */
    @Override
    public Evaluation evaluate(Dataset data) {
        Objects.requireNonNull(data, "data");
        lock.lock();
        try {
            return evaluateLocked(data);
        } finally {
            lock.unlock();
        }
    }

    Evaluation evaluateLocked(Dataset data) {
        checkOpen();
        Kernel.Data d;
        if (data == trainSet) {
            d = train;
        } else if (data == validationSet) {
            d = validation;
        } else if (validationSet == null) {
            validationSet = data;
            validation = kernel.prepare(data);
            d = validation;
        } else {
            d = kernel.prepare(data);
        }
        Tally tally = new Tally();
        kernel.evaluate(d, tally);
        return tally.evaluation(data.task());
    }

    /**
     * Copies the current weights.
     *
     * @return an immutable snapshot
     */
    public Parameters snapshot() {
        lock.lock();
        try {
            return snapshotLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies the current weights into a new flat array.
     *
     * @return the parameter vector, as {@link Parameters#toArray()} arranges it
     */
    @Override
    public float[] parameters() {
        lock.lock();
        try {
            checkOpen();
            float[] values = new float[model.parameterCount()];
            kernel.readParameters(values);
            return values;
        } finally {
            lock.unlock();
        }
    }

    Parameters snapshotLocked() {
        float[] values = new float[model.parameterCount()];
        kernel.readParameters(values);
        return new Parameters(model.layout(), values);
    }

    void restoreLocked(float[] values) {
        kernel.writeParameters(values);
    }

    /**
     * Puts weights back between two batches, from the training thread.
     *
     * @param parameters a snapshot of this model's shape
     */
    public void restore(Parameters parameters) {
        model.restore(parameters);
    }

    /**
     * Puts weights back from a flat array, between two batches, from the training thread.
     *
     * @param values the flat parameter vector
     */
    @Override
    public void restore(float[] values) {
        Objects.requireNonNull(values, "values");
        lock.lock();
        try {
            checkOpen();
            if (values.length != model.parameterCount()) {
                throw new IllegalArgumentException("values must have " + model.parameterCount()
                        + " numbers (the model's parameter count), but had " + values.length);
            }
            kernel.writeParameters(values);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies the optimizer state (momentum velocity, Adam's moments and step count), for a
     * checkpoint; call it between two batches.
     * @return the state
     */
    @Override
    public OptimizerState optimizerState() {
        lock.lock();
        try {
            checkOpen();
            return kernel.exportOptimizerState();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts back an optimizer state taken by {@link #optimizerState()} from a session of the same
     * model shape and optimizer, between two batches, so the next updates are those the saved run
     * would have made.
     * @param state the state
     * @throws IllegalArgumentException when it is of another optimizer or shape
     */
    @Override
    public void restoreOptimizerState(OptimizerState state) {
        Objects.requireNonNull(state, "state");
        lock.lock();
        try {
            checkOpen();
            kernel.importOptimizerState(state);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Remembers the current weights as the point to {@link #rollBack()} to: called at the start
     * of each epoch, into one buffer the session reuses.
     */
    @Override
    public void markRollbackPoint() {
        lock.lock();
        try {
            checkOpen();
            if (rollback == null) {
                rollback = new float[model.parameterCount()];
            }
            kernel.readParameters(rollback);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts back the weights of the last {@link #markRollbackPoint()}: undoes the batches of an
     * epoch that did not complete.
     *
     * @return false when no point was marked
     */
    @Override
    public boolean rollBack() {
        lock.lock();
        try {
            checkOpen();
            if (rollback == null) {
                return false;
            }
            kernel.writeParameters(rollback);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the session from any thread without waiting: the batch in flight, if any, completes,
     * and no other batch starts.
     */
    public void stop() {
        stopped = true;
    }

    /**
     * Tells whether {@link #stop()} was called.
     *
     * @return true once stopped
     */
    public boolean isStopped() {
        return stopped;
    }

    /**
     * Ends the session: the model keeps the trained weights, the kernel's memory is released, and
     * whoever waits for the model ({@link Sequential#startTrainingOrWait}) is told, on this thread.
     * Idempotent.
     */
    @Override
    public void close() {
        List<Runnable> waiting;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            float[] finalParameters = new float[model.parameterCount()];
            kernel.readParameters(finalParameters);
            kernel.close();
            validation = null;
            validationSet = null;
            rollback = null;
            waiting = model.endSession(this, finalParameters);
        } finally {
            lock.unlock();
        }
        ModelLease.runAll(waiting);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this training session is closed");
        }
    }
}
