package io.epochflux.nn;

import io.epochflux.data.Dataset;
import io.epochflux.nn.internal.Kernel;
import io.epochflux.nn.internal.Tally;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One training run's hold on a {@link Sequential}: the kernel that trains it, its optimizer state,
 * the training data in the kernel's form, and the running loss and accuracy of the current epoch.
 * Made by {@link Sequential#startTraining}; the trainer of {@code io.epochflux.train} drives it.
 *
 * <p>{@link #trainBatch} runs under the model's lock, so snapshots, restores and evaluations from
 * other threads fall between batches. {@link #stop()} may be called from any thread: no batch
 * starts after it. Everything else belongs to the thread that trains.
 */
public final class TrainingSession implements AutoCloseable {

    private final Sequential model;
    private final ReentrantLock lock;
    private final Kernel kernel;
    private final Kernel.Data train;
    private final int trainingSize;
    private final int batchSize;
    private final Map<Dataset, Kernel.Data> prepared = new IdentityHashMap<>();
    private final Tally running = new Tally();
    private volatile boolean stopped;
    private boolean closed;

    TrainingSession(Sequential model, ReentrantLock lock, Kernel kernel, Dataset train, int batchSize) {
        this.model = model;
        this.lock = lock;
        this.kernel = kernel;
        this.train = kernel.prepare(train);
        this.trainingSize = train.size();
        this.batchSize = batchSize;
        prepared.put(train, this.train);
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
     * Returns the mean loss of the examples trained on since the last reset.
     *
     * @return Keras' running training loss; NaN before the first batch
     */
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
     * Returns how many examples were trained on since the last reset.
     *
     * @return examples
     */
    public long runningExamples() {
        return running.examples();
    }

    /** Starts the running figures afresh, as at the start of an epoch. */
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
        Kernel.Data d = prepared.computeIfAbsent(data, kernel::prepare);
        Tally tally = new Tally();
        kernel.evaluate(d, tally);
        return new Evaluation(tally.meanLoss(), tally.accuracy(), data.size());
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

    Parameters snapshotLocked() {
        float[] values = new float[model.parameterCount()];
        kernel.readParameters(values);
        return new Parameters(model.layout(), values);
    }

    void restoreLocked(float[] values) {
        kernel.writeParameters(values);
    }

    /**
     * Stops the session from any thread: once this returns, the batch in progress (if any) has
     * finished and no other batch will start.
     */
    public void stop() {
        stopped = true;
        lock.lock();
        lock.unlock();
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
     * Ends the session: the model keeps the trained weights and the kernel's memory is released.
     * Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            float[] finalParameters = new float[model.parameterCount()];
            kernel.readParameters(finalParameters);
            kernel.close();
            prepared.clear();
            model.endSession(this, finalParameters);
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this training session is closed");
        }
    }
}
