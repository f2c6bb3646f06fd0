package io.epochflux.nn;

import io.epochflux.data.Dataset;
import io.epochflux.nn.internal.Kernel;
import io.epochflux.nn.internal.Kernels;
import io.epochflux.nn.internal.Layout;
import io.epochflux.nn.internal.ModelFiles;
import io.epochflux.nn.internal.Tally;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A stack of {@link Dense} layers with a loss, as Keras' {@code Sequential}: built with Keras'
 * defaults (Glorot-uniform weights from an explicit seed, zero biases), trained through a
 * {@link TrainingSession}, evaluated, snapshotted, saved.
 *
 * <p>A model is safe to use from several threads: every operation sees the parameters between
 * two training batches, never in the middle of one, so while a run trains the model, a
 * {@link #snapshot()}, {@link #restore}, {@link #evaluate} or {@link #predict} from another thread
 * waits for the batch in flight: call them from threads that may wait, not from an event loop.
 * One training session at a time: a trainer's run that finds the model busy waits, without
 * holding a thread, until the session in progress ends (see {@link #startTrainingOrWait}).
 *
 * <pre>{@code
 * Sequential model = Sequential.builder(784)
 *     .dense(2, Activation.RELU)
 *     .dense(10, Activation.SOFTMAX)
 *     .loss(Loss.CATEGORICAL_CROSSENTROPY)
 *     .seed(10)
 *     .build();
 * }</pre>
 */
public final class Sequential implements Trainable {

    /** The seed used when the builder is given none. */
    public static final long DEFAULT_SEED = 12345L;

    private final Layout layout;
    private final List<Dense> layers;
    private final long seed;
    /** Who may touch the weights: its holder is {@link #session}. */
    private final ModelLease lock = new ModelLease();
    /** The parameters while no session holds them elsewhere. Guarded by {@link #lock}. */
    private final float[] params;
    /** The training session in progress, if any: the lease's holder. Guarded by {@link #lock}. */
    private TrainingSession session;

    private Sequential(Layout layout, List<Dense> layers, long seed, float[] params) {
        this.layout = layout;
        this.layers = List.copyOf(layers);
        this.seed = seed;
        this.params = params;
    }

    /**
     * Starts a model that takes {@code inputs} features.
     *
     * @param inputs the input width, {@code >= 1}
     * @return a builder
     */
    public static Builder builder(int inputs) {
        return new Builder(inputs);
    }

    /** Builds a {@link Sequential}. Defaults: categorical cross-entropy, seed {@value #DEFAULT_SEED}. */
    public static final class Builder {
        private final int inputs;
        private final List<Dense> layers = new ArrayList<>();
        private Loss loss = Loss.CATEGORICAL_CROSSENTROPY;
        private long seed = DEFAULT_SEED;

        private Builder(int inputs) {
            if (inputs < 1) {
                throw new IllegalArgumentException("inputs must be >= 1, but was " + inputs);
            }
            this.inputs = inputs;
        }

        /**
         * Adds a layer.
         *
         * @param units its width, {@code >= 1}
         * @param activation its activation
         * @return this builder
         */
        public Builder dense(int units, Activation activation) {
            return add(new Dense(units, activation));
        }

        /**
         * Adds a layer.
         *
         * @param layer the layer
         * @return this builder
         */
        public Builder add(Dense layer) {
            layers.add(Objects.requireNonNull(layer, "layer"));
            return this;
        }

        /**
         * Sets the loss (default categorical cross-entropy).
         *
         * @param loss the loss
         * @return this builder
         */
        public Builder loss(Loss loss) {
            this.loss = Objects.requireNonNull(loss, "loss");
            return this;
        }

        /**
         * Sets the seed of the initial weights (default {@value Sequential#DEFAULT_SEED}).
         *
         * @param seed any value; the same seed gives bit-identical weights
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the model with freshly initialised weights.
         *
         * @return the model
         * @throws IllegalStateException when no layer was added
         */
        public Sequential build() {
            if (layers.isEmpty()) {
                throw new IllegalStateException("a Sequential needs at least one layer: add one with dense(units, activation)");
            }
            Layout layout = layout(inputs, layers, loss);
            io.epochflux.nn.internal.ModelBudget.check(layout);
            return new Sequential(layout, layers, seed, initialParameters(layout, seed));
        }
    }

    static Layout layout(int inputs, List<Dense> layers, Loss loss) {
        int[] units = new int[layers.size()];
        Activation[] activations = new Activation[layers.size()];
        for (int l = 0; l < units.length; l++) {
            units[l] = layers.get(l).units();
            activations[l] = layers.get(l).activation();
        }
        return new Layout(inputs, units, activations, loss);
    }

    /** Glorot-uniform weights, {@code U(-sqrt(6 / (in + out)), sqrt(6 / (in + out)))}, zero biases. */
    private static float[] initialParameters(Layout layout, long seed) {
        float[] values = new float[layout.parameterCount()];
        SplittableRandom random = new SplittableRandom(seed);
        for (int l = 0; l < layout.layers(); l++) {
            int out = layout.units(l);
            int in = layout.fanIn(l);
            double limit = Math.sqrt(6.0 / (in + out));
            int offset = layout.weightOffset(l);
            for (int k = 0; k < out * in; k++) {
                values[offset + k] = (float) random.nextDouble(-limit, limit);
            }
        }
        return values;
    }

    /**
     * Returns the input width.
     *
     * @return features per example
     */
    public int inputs() {
        return layout.inputs();
    }

    /**
     * Returns the layers.
     *
     * @return an unmodifiable list, first layer first
     */
    public List<Dense> layers() {
        return layers;
    }

    /**
     * Returns the loss.
     *
     * @return what training minimises
     */
    public Loss loss() {
        return layout.loss();
    }

    /**
     * Returns the seed the initial weights came from.
     *
     * @return the builder's seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Returns the number of weights and biases.
     *
     * @return the parameter count (1,600 for 784-2-10)
     */
    @Override
    public int parameterCount() {
        return layout.parameterCount();
    }

    /**
     * Describes the shape, as in {@code 784-2(relu)-10(softmax)}.
     *
     * @return the description
     */
    @Override
    public String describe() {
        return layout.describe();
    }

    /**
     * Names the engine: the fused kernel over heap arrays.
     *
     * @return {@code fused}
     */
    @Override
    public String engine() {
        return "fused";
    }

    /**
     * Checks that a dataset has this model's input width and output count.
     *
     * @param data the examples
     * @param role what the data is for, named in the message
     * @throws IllegalArgumentException naming the role and the width that differs
     */
    @Override
    public void checkFits(Dataset data, String role) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(role, "role");
        if (data.featureCount() != layout.inputs()) {
            throw new IllegalArgumentException(role + " must have " + layout.inputs() + " features (the model's inputs), but "
                    + data.name() + " has " + data.featureCount());
        }
        if (data.labelCount() != layout.outputs()) {
            throw new IllegalArgumentException(role + " must have " + layout.outputs() + " targets (the model's outputs), but "
                    + data.name() + " has " + data.labelCount());
        }
    }

    @Override
    public Optional<Trainable.Session> openOrQueue(Dataset train, Optimizer optimizer, int batchSize, Runnable whenFree) {
        return startTrainingOrWait(train, optimizer, batchSize, whenFree).map(s -> s);
    }

    @Override
    public Optional<float[]> parametersIfIdle() {
        return snapshotIfIdle().map(Parameters::unsafeValues);
    }

    @Override
    public float[] parameters() {
        return snapshot().unsafeValues();
    }

    Layout layout() {
        return layout;
    }

    /**
     * Names the arithmetic a training session of this batch size runs on, for reports:
     * {@code heap/vector-512} or {@code heap/scalar} (fused loops over heap arrays), with
     * {@code +blas} when large matrix products go to ND4J's BLAS. The choice is automatic.
     *
     * @param batchSize examples per step, {@code >= 1}
     * @return the kernel's name
     */
    @Override
    public String kernelFor(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        return Kernels.describe(layout, batchSize);
    }

    /**
     * Tells how many BLAS threads a training session of this batch size gives its large matrix
     * products: the system property {@code epochflux.threads} when set (the command line's
     * {@code --threads}), else a count derived from the largest product and this machine's
     * processors (1 when nothing goes to BLAS, or on two processors or fewer), so that the same
     * shapes on the same machine always get the same count.
     *
     * @param batchSize examples per step, {@code >= 1}
     * @return threads, {@code >= 1}
     */
    @Override
    public int blasThreadsFor(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        return Kernels.needsBlas(layout, batchSize) ? Kernels.blasThreads(layout, batchSize) : 1;
    }

    /**
     * Copies the current weights and biases.
     *
     * @return an immutable snapshot
     */
    public Parameters snapshot() {
        lock.lock();
        try {
            if (session != null) {
                return session.snapshotLocked();
            }
            return new Parameters(layout, params.clone());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts weights and biases back, waiting for a training batch in progress to finish.
     *
     * @param parameters a snapshot of a model of the same shape
     * @throws IllegalArgumentException when the snapshot belongs to a differently shaped network
     */
    public void restore(Parameters parameters) {
        Objects.requireNonNull(parameters, "parameters");
        if (!parameters.layout().equals(layout)) {
            throw new IllegalArgumentException("parameters must belong to a " + layout + " network, but belong to a "
                    + parameters.layout());
        }
        lock.lock();
        try {
            if (session != null) {
                session.restoreLocked(parameters.unsafeValues());
            } else {
                System.arraycopy(parameters.unsafeValues(), 0, params, 0, params.length);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts weights and biases back from a flat array, as {@link Parameters#toArray()} gives them.
     *
     * @param values {@link #parameterCount()} numbers: for each layer, its weights unit by unit, then its biases
     * @throws IllegalArgumentException when the count is wrong
     */
    @Override
    public void restore(float[] values) {
        Objects.requireNonNull(values, "values");
        if (values.length != layout.parameterCount()) {
            throw new IllegalArgumentException("values must have " + layout.parameterCount()
                    + " numbers (the model's parameter count), but had " + values.length);
        }
        restore(new Parameters(layout, values.clone()));
    }

    /**
     * Runs the model forward.
     *
     * @param features {@code [rows, inputs()]}
     * @return a new float32 matrix {@code [rows, outputs]}: probabilities after a softmax
     */
    public INDArray predict(INDArray features) {
        Objects.requireNonNull(features, "features");
        if (features.rank() != 2 || features.columns() != layout.inputs()) {
            throw new IllegalArgumentException("features must be a matrix [rows, " + layout.inputs() + "], but had shape "
                    + java.util.Arrays.toString(features.shape()));
        }
        int rows = (int) features.rows();
        float[] x = features.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = predictFlat(x, rows);
        return Nd4j.create(out, new long[] {rows, layout.outputs()}, 'c');
    }

    /**
     * Runs the model forward on rows of plain arrays, for callers without ND4J at hand.
     *
     * @param features one array of {@link #inputs()} values per row
     * @return one array of outputs per row: probabilities after a softmax
     * @throws IllegalArgumentException when a row has the wrong width
     */
    public float[][] predict(float[][] features) {
        Objects.requireNonNull(features, "features");
        int rows = features.length;
        int inputs = layout.inputs();
        float[] x = new float[rows * inputs];
        for (int r = 0; r < rows; r++) {
            float[] row = Objects.requireNonNull(features[r], "features row");
            if (row.length != inputs) {
                throw new IllegalArgumentException("features[" + r + "] must have " + inputs
                        + " values (the model's inputs), but had " + row.length);
            }
            System.arraycopy(row, 0, x, r * inputs, inputs);
        }
        float[] out = rows == 0 ? new float[0] : predictFlat(x, rows);
        int outputs = layout.outputs();
        float[][] result = new float[rows][];
        for (int r = 0; r < rows; r++) {
            result[r] = java.util.Arrays.copyOfRange(out, r * outputs, (r + 1) * outputs);
        }
        return result;
    }

    private float[] predictFlat(float[] x, int rows) {
        lock.lock();
        try {
            Kernel kernel = Kernels.forInference(layout, currentParametersLocked(), Math.min(rows, 256));
            try {
                return kernel.predict(x, rows);
            } finally {
                kernel.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Computes loss and accuracy over a dataset as Keras' {@code evaluate} does: means over the
     * examples. The batch size only sets how many rows go through at once; the figures do not
     * depend on it.
     *
     * @param data examples of this model's width
     * @param batchSize rows per forward pass, {@code >= 1} (Keras' default is 32)
     * @return the figures
     */
    @Override
    public Evaluation evaluate(Dataset data, int batchSize) {
        Objects.requireNonNull(data, "data");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        lock.lock();
        try {
            if (session != null) {
                return session.evaluateLocked(data);
            }
            Kernel kernel = Kernels.forInference(layout, params, batchSize);
            try {
                Tally tally = new Tally();
                kernel.evaluate(kernel.prepare(data), tally);
                return tally.evaluation(data.task());
            } finally {
                kernel.close();
            }
        } finally {
            lock.unlock();
        }
    }

    private float[] currentParametersLocked() {
        if (session != null) {
            return session.snapshotLocked().unsafeValues();
        }
        return params;
    }

    /**
     * Starts training: the session trains this model in place, batch by batch, with fresh
     * optimizer state. Close it when done.
     *
     * @param train the training examples
     * @param optimizer the update rule
     * @param batchSize examples per step, {@code >= 1}
     * @return the session
     * @throws IllegalStateException when another session is training this model
     */
    public TrainingSession startTraining(Dataset train, Optimizer optimizer, int batchSize) {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(optimizer, "optimizer");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        Kernels.checkShape(layout, train);
        lock.lock();
        try {
            if (session != null) {
                throw new IllegalStateException("this model is already being trained; a model trains one run at a time "
                        + "(build a second model for a concurrent run)");
            }
            Kernel kernel = Kernels.forTraining(layout, params, optimizer, Math.min(batchSize, Math.max(1, train.size())));
            session = new TrainingSession(this, lock, kernel, train, batchSize);
            lock.acquire(session);
            return session;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts training if no session holds the model; otherwise registers {@code whenFree}, which
     * the thread that ends the session in progress runs once it has let the model go (then try
     * again: another waiter may have taken it first). This never waits for a batch: it is how a
     * trainer's run queues for a busy model without holding a thread.
     *
     * @param train the training examples
     * @param optimizer the update rule
     * @param batchSize examples per step, {@code >= 1}
     * @param whenFree run once, soon after the model is free; it must not block
     * @return the session, or empty when the model is busy and {@code whenFree} was registered
     */
    public Optional<TrainingSession> startTrainingOrWait(Dataset train, Optimizer optimizer, int batchSize,
                                                         Runnable whenFree) {
        Objects.requireNonNull(whenFree, "whenFree");
        lock.lock();
        try {
            if (lock.queueIfHeld(whenFree)) {
                return Optional.empty();
            }
            return Optional.of(startTraining(train, optimizer, batchSize));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies the weights if no session holds the model, without waiting.
     *
     * @return the weights, or empty when a session is training the model (or the model is busy)
     */
    public Optional<Parameters> snapshotIfIdle() {
        if (!lock.tryLock()) {
            return Optional.empty();
        }
        try {
            return session != null ? Optional.empty() : Optional.of(new Parameters(layout, params.clone()));
        } finally {
            lock.unlock();
        }
    }

    /** Called by the session, holding the lock, when it closes; returns who waits for the model. */
    List<Runnable> endSession(TrainingSession ended, float[] finalParameters) {
        if (session != ended) {
            return List.of();
        }
        if (finalParameters != null) {
            System.arraycopy(finalParameters, 0, params, 0, params.length);
        }
        session = null;
        return lock.release(ended);
    }

    /**
     * Saves the model atomically: the configuration as JSON and each layer's arrays, in one zip
     * file.
     *
     * @param file the target; replaced only once the whole file is written
     * @throws IOException when writing fails
     */
    @Override
    public void save(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        ModelFiles.save(file, layout, seed, snapshot().unsafeValues());
    }

    /**
     * Loads a model saved by {@link #save(Path)}.
     *
     * @param file the model file
     * @return a new model with the saved weights
     * @throws IOException when the file cannot be read or is not a valid model file
     */
    public static Sequential load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        ModelFiles.Loaded loaded = ModelFiles.load(file);
        Layout layout = loaded.layout();
        List<Dense> layers = new ArrayList<>();
        for (int l = 0; l < layout.layers(); l++) {
            layers.add(new Dense(layout.units(l), layout.activation(l)));
        }
        return new Sequential(layout, layers, loaded.seed(), loaded.parameters());
    }

    /**
     * Replaces this model's weights with those saved in a file.
     *
     * @param file a model file of a network of exactly this shape
     * @throws IOException when the file is unreadable, invalid, or holds a differently shaped network
     */
    public void loadParameters(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        ModelFiles.Loaded loaded = ModelFiles.load(file);
        if (!loaded.layout().equals(layout)) {
            throw new ModelFileException(file.toString(), "holds a " + loaded.layout() + " network, but this model is a "
                    + layout + " network");
        }
        restore(new Parameters(layout, loaded.parameters()));
    }

    @Override
    public String toString() {
        return "Sequential[" + layout + "]";
    }
}
