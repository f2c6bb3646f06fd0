package io.epochflux.dl4j;

import io.epochflux.data.Dataset;
import io.epochflux.dl4j.internal.ComputationGraphNetwork;
import io.epochflux.dl4j.internal.Dl4jSession;
import io.epochflux.dl4j.internal.Evaluations;
import io.epochflux.dl4j.internal.Leases;
import io.epochflux.dl4j.internal.MultiLayerNetworkNetwork;
import io.epochflux.dl4j.internal.Network;
import io.epochflux.dl4j.internal.Parameters;
import io.epochflux.internal.AtomicFiles;
import io.epochflux.nn.Evaluation;
import io.epochflux.nn.ModelLease;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Trainable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A DL4J network as a {@link Trainable}: {@code trainer.fit(Dl4jModel.of(net), train, validation)}
 * trains it as a cold stream of epochs, with every stop rule, learning-rate operator, checkpoint,
 * meter and run handle of epochflux.
 *
 * <p>The network's own configuration trains it: its layers, updater (its optimizer: a trainer
 * whose optimizer was set explicitly is refused), regularization, initialization and seed. The
 * trainer supplies the epochs, batch size, shuffle and its seed, the scheduler and the snapshots.
 * A batch is exactly the network's {@code fit} on the minibatch the trainer's order chose, so a
 * run gives the same parameters, bit for bit, as DL4J's own loop over the same minibatches. Each
 * epoch reports:
 * <ul>
 *   <li>{@code loss}: the mean over the epoch's examples of each batch's {@code score()} after its
 *       {@code fit}, which DL4J computes before the update as the minibatch's mean loss plus the
 *       regularization penalty (Keras' running training loss, penalty included as in Keras);</li>
 *   <li>{@code accuracy} for classes, {@code mae} for a regression: from the output layer applied
 *       in inference mode to the input the training pass gave it (exact unless the output layer
 *       itself has dropout);</li>
 *   <li>{@code val_loss}, {@code val_accuracy} / {@code val_mae}: the validation set in inference
 *       mode, the network's own {@code score}.</li>
 * </ul>
 * Each epoch ends with {@code incrementEpochCount()}, as DL4J's loop does. Checkpoints carry the
 * parameters, the updater's state view and the iteration and epoch counts; ND4J's random generator
 * is seeded before each batch from the network's seed and iteration count, so dropout masks follow
 * the run across pool threads and a resumed run draws the same ones (this sets the training
 * thread's generator: runs on a scheduler of your own share it with your code).
 *
 * <p>Every {@code Dl4jModel} of one network object shares one {@link ModelLease}: one run trains it
 * at a time, and reads of its weights fall between batches. Parameters cross as float32, so only
 * networks of data type {@code FLOAT} are accepted.
 *
 * <pre>{@code
 * MultiLayerNetwork net = new MultiLayerNetwork(conf);
 * net.init();
 * Flux<EpochMetrics> epochs = Trainer.builder().epochs(20).batchSize(64).build()
 *     .fit(Dl4jModel.of(net), train, validation)
 *     .transform(EarlyStopping.builder().patience(3).restoreBestWeights(true).build());
 * }</pre>
 */
public final class Dl4jModel implements Trainable {

    private final Network net;
    private final ModelLease lease;
    private final long[] inputShape;

    private Dl4jModel(Network net, long[] inputShape) {
        if (net.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("network data type must be FLOAT (parameters cross as float32), but was "
                    + net.dataType());
        }
        this.net = net;
        this.lease = Leases.of(net.model());
        this.inputShape = inputShape;
    }

    /**
     * Wraps an initialised multi-layer network.
     *
     * @param network the network, after {@code init()}
     * @return the model; every model of this network shares one lease
     */
    public static Dl4jModel of(MultiLayerNetwork network) {
        Objects.requireNonNull(network, "network");
        checkInitialised(network.params() != null, "MultiLayerNetwork");
        return new Dl4jModel(new MultiLayerNetworkNetwork(network), new long[0]);
    }

    /**
     * Wraps an initialised computation graph with one input and one output.
     *
     * @param graph the graph, after {@code init()}
     * @return the model; every model of this graph shares one lease
     * @throws IllegalArgumentException when the graph has several inputs or outputs
     */
    public static Dl4jModel of(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        checkInitialised(graph.params() != null, "ComputationGraph");
        return new Dl4jModel(new ComputationGraphNetwork(graph), new long[0]);
    }

    private static void checkInitialised(boolean initialised, String kind) {
        if (!initialised) {
            throw new IllegalArgumentException("the " + kind + " must be initialised: call init() before wrapping it");
        }
    }

    /**
     * Feeds the network examples of a shape, for a network whose first layer takes images
     * ({@code InputType.convolutional}) rather than flat rows ({@code InputType.convolutionalFlat}
     * needs no shape): each dataset row is reshaped to {@code [channels, height, width]}.
     *
     * @param shape one example's dimensions, each {@code >= 1}
     * @return a model of the same network (sharing its lease) that reshapes its inputs
     */
    public Dl4jModel withInputShape(long... shape) {
        Objects.requireNonNull(shape, "shape");
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("shape must have dimensions >= 1, but was " + Arrays.toString(shape));
            }
        }
        return new Dl4jModel(net, shape.clone());
    }

    /**
     * Loads a network saved by DL4J's {@code ModelSerializer} (a multi-layer network or a graph,
     * told apart by its configuration), with its updater state.
     *
     * @param file the model file
     * @return the model
     * @throws IOException when the file cannot be read or is not a DL4J model
     */
    public static Dl4jModel load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (isGraph(file)) {
            return of(ModelSerializer.restoreComputationGraph(file.toFile(), true));
        }
        return of(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true));
    }

    private static boolean isGraph(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new IOException(file + " must be a DL4J model file (a zip with configuration.json), but has no configuration.json");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return json.contains("\"vertices\"");
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + " must be a DL4J model file (a zip), but is not a zip: " + e.getMessage(), e);
        }
    }

    /**
     * Saves the network atomically in DL4J's {@code ModelSerializer} format, with its updater
     * state, waiting for a batch in flight.
     *
     * @param file the target; replaced only once the whole file is written
     * @throws IOException when writing fails
     */
    @Override
    public void save(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        lease.lock();
        try {
            AtomicFiles.write(file, out -> ModelSerializer.writeModel(net.model(), out, true));
        } finally {
            lease.unlock();
        }
    }

    /**
     * Returns the wrapped network.
     *
     * @return the {@code MultiLayerNetwork} or {@code ComputationGraph}
     */
    public Model network() {
        return net.model();
    }

    @Override
    public String describe() {
        StringJoiner layers = new StringJoiner("-", net.kind() + "[", "]");
        for (NeuralNetConfiguration c : net.layerConfigurations()) {
            org.deeplearning4j.nn.conf.layers.Layer layer = c.getLayer();
            String name = layer.getClass().getSimpleName();
            layers.add(layer instanceof FeedForwardLayer f ? name + "(" + f.getNOut() + ")" : name);
        }
        return layers.toString();
    }

    @Override
    public String engine() {
        return "dl4j";
    }

    /**
     * Names the engine and ND4J's backend.
     *
     * @param batchSize examples per step
     * @return for example {@code dl4j/CPU}
     */
    @Override
    public String kernelFor(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        return "dl4j/" + org.nd4j.linalg.factory.Nd4j.getBackend().getEnvironment().getClass().getSimpleName()
                .replace("Environment", "");
    }

    @Override
    public int parameterCount() {
        return Math.toIntExact(net.params().length());
    }

    @Override
    public void checkFits(Dataset data, String role) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(role, "role");
        long inputs = expectedInputs();
        if (inputs > 0 && data.featureCount() != inputs) {
            throw new IllegalArgumentException(role + " must have " + inputs + " features (the network's inputs), but "
                    + data.name() + " has " + data.featureCount());
        }
        if (net.outputLayer().conf().getLayer() instanceof FeedForwardLayer out && data.labelCount() != out.getNOut()) {
            throw new IllegalArgumentException(role + " must have " + out.getNOut() + " targets (the network's outputs), but "
                    + data.name() + " has " + data.labelCount());
        }
    }

    /** The features a row must have, or 0 when the configuration does not say. */
    private long expectedInputs() {
        if (inputShape.length > 0) {
            return Arrays.stream(inputShape).reduce(1, Math::multiplyExact);
        }
        InputPreProcessor pre = net.inputPreProcessor();
        if (pre instanceof FeedForwardToCnnPreProcessor cnn) {
            return cnn.getInputHeight() * cnn.getInputWidth() * cnn.getNumChannels();
        }
        org.deeplearning4j.nn.conf.layers.Layer first = net.layerConfigurations().get(0).getLayer();
        if (pre == null && first instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer) {
            throw new IllegalArgumentException("the network's first layer takes images, so the model needs their shape: "
                    + "Dl4jModel.of(net).withInputShape(channels, height, width), or configure the network with "
                    + "InputType.convolutionalFlat(height, width, channels)");
        }
        return pre == null && first instanceof FeedForwardLayer f ? f.getNIn() : 0;
    }

    /**
     * The network's updater is its optimizer.
     *
     * @return true
     */
    @Override
    public boolean ownsOptimizer() {
        return true;
    }

    /**
     * Returns the learning rate of the network's first layer that has one.
     *
     * @param configured ignored: the network trains with its own updater
     * @return the rate, or NaN when no layer has one
     */
    @Override
    public double learningRate(Optimizer configured) {
        for (NeuralNetConfiguration c : net.layerConfigurations()) {
            if (c.getLayer() instanceof BaseLayer b && b.getIUpdater() != null && b.getIUpdater().hasLearningRate()) {
                return b.getIUpdater().getLearningRate(net.iterationCount(), net.epochCount());
            }
        }
        return Double.NaN;
    }

    /**
     * Refuses a network whose learning rate epochflux cannot steer as one number: layers with
     * different rates, an updater with a rate schedule of its own (DL4J's
     * {@code setLearningRate} would replace it silently), or a layer with a bias updater of its
     * own (which {@code setLearningRate} leaves at its rate).
     */
    @Override
    public void checkLearningRateControl() {
        List<String> rates = new ArrayList<>();
        Double first = null;
        boolean differ = false;
        for (NeuralNetConfiguration c : net.layerConfigurations()) {
            if (!(c.getLayer() instanceof BaseLayer b)) {
                continue;
            }
            String name = Optional.ofNullable(b.getLayerName()).orElse(b.getClass().getSimpleName());
            IUpdater bias = b.getBiasUpdater();
            if (bias != null && bias.hasLearningRate()) {
                // DL4J's setLearningRate sets the layer's updater only: the biases would go on at their own rate
                throw new IllegalStateException("the network's learning rate cannot be steered by an epochflux rate operator: "
                        + "layer " + name + " has a bias updater of its own (" + bias + "), whose rate DL4J's setLearningRate"
                        + " does not change; remove the bias updater or the operator");
            }
            IUpdater u = b.getIUpdater();
            if (u == null || !u.hasLearningRate()) {
                continue;
            }
            Optional<String> schedule = schedule(u);
            if (schedule.isPresent()) {
                throw new IllegalStateException("the network's learning rate cannot be steered by an epochflux rate operator: "
                        + "layer " + name + " has a DL4J rate schedule (" + schedule.get() + "); remove the schedule or the operator");
            }
            double rate = u.getLearningRate(0, 0);
            rates.add(name + " " + rate);
            if (first == null) {
                first = rate;
            } else if (first != rate) {
                differ = true;
            }
        }
        if (differ) {
            throw new IllegalStateException("the network's learning rate cannot be steered by an epochflux rate operator: "
                    + "its layers train at different rates " + rates + "; give them one rate or drop the operator");
        }
    }

    /** A learning-rate schedule set on an updater (Sgd, Adam, Nesterovs... each keep one in a field of their own). */
    private static Optional<String> schedule(IUpdater updater) {
        for (Class<?> c = updater.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (ISchedule.class.isAssignableFrom(f.getType()) && !Modifier.isStatic(f.getModifiers())) {
                    try {
                        f.setAccessible(true);
                        Object s = f.get(updater);
                        if (s != null) {
                            return Optional.of(f.getName() + " " + s);
                        }
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return Optional.of(f.getName() + " (unreadable: " + e + ")");
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<Trainable.Session> openOrQueue(Dataset train, Optimizer optimizer, int batchSize, Runnable whenFree) {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(whenFree, "whenFree");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        lease.lock();
        try {
            if (lease.queueIfHeld(whenFree)) {
                return Optional.empty();
            }
            Dl4jSession session = new Dl4jSession(net, lease, train, batchSize, inputShape);
            lease.acquire(session);
            return Optional.of(session);
        } finally {
            lease.unlock();
        }
    }

    @Override
    public Optional<float[]> parametersIfIdle() {
        if (!lease.tryLock()) {
            return Optional.empty();
        }
        try {
            return lease.holder() != null ? Optional.empty() : Optional.of(net.params().toFloatVector());
        } finally {
            lease.unlock();
        }
    }

    @Override
    public float[] parameters() {
        lease.lock();
        try {
            return net.params().toFloatVector();
        } finally {
            lease.unlock();
        }
    }

    @Override
    public void restore(float[] values) {
        Objects.requireNonNull(values, "values");
        lease.lock();
        try {
            Parameters.write(net, values);
        } finally {
            lease.unlock();
        }
    }

    @Override
    public Evaluation evaluate(Dataset data, int batchSize) {
        Objects.requireNonNull(data, "data");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        checkFits(data, "data");
        lease.lock();
        try {
            return Evaluations.evaluate(net, data, batchSize, inputShape);
        } finally {
            lease.unlock();
        }
    }

    @Override
    public String toString() {
        return "Dl4jModel[" + describe() + "]";
    }
}
