package io.epochflux.dl4j.internal;

import io.epochflux.data.Dataset;
import io.epochflux.data.Task;
import io.epochflux.internal.DatasetArrays;
import io.epochflux.nn.Evaluation;
import io.epochflux.nn.ModelLease;
import io.epochflux.nn.OptimizerState;
import io.epochflux.nn.Trainable;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run's hold on a DL4J network. A batch is exactly the network's own {@code fit} on the
 * minibatch the trainer's order chose; the adapter adds no arithmetic to training. Around it:
 *
 * <ul>
 *   <li>the batch's loss is {@code score()} after {@code fit}: DL4J computes it in the forward
 *       pass, before the update, as the minibatch's mean loss plus the regularization penalty;
 *       weighted by the batch's rows it gives Keras' running mean over the epoch's examples;</li>
 *   <li>the batch's accuracy (or mean absolute error) is read from the output layer applied, in
 *       inference mode, to the input the forward pass gave it (a listener sees it on the way),
 *       so it too is from the weights before the update, at the cost of one output layer;</li>
 *   <li>ND4J's random generator belongs to the thread, and a run moves between pool threads, so
 *       it is seeded before each batch from the network's seed and its iteration count: dropout
 *       masks follow the run, not the thread, and a resumed run draws the same ones.</li>
 * </ul>
 */
public final class Dl4jSession implements Trainable.Session {

    /** Mixes the iteration count into the seed (the golden ratio's 64-bit fraction). */
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private final Network net;
    private final ModelLease lease;
    private final Batches batches;
    private final Dataset trainSet;
    private final int trainingSize;
    private final int batchSize;
    private final long[] inputShape;
    private final boolean regression;
    private final Collection<TrainingListener> userListeners;
    private final OutputCapture capture = new OutputCapture();

    private double lossSum;
    private double metricSum;
    private long examples;
    private float[] rollback;
    private OptimizerState rollbackState;
    private boolean closed;

    /**
     * Opens a session; the caller holds the lease's lock and has given the lease to it.
     *
     * @param net the network
     * @param lease its lease
     * @param train the training examples
     * @param batchSize examples per step
     * @param inputShape one example's shape for the network, or empty for flat rows
     */
    public Dl4jSession(Network net, ModelLease lease, Dataset train, int batchSize, long[] inputShape) {
        this.net = net;
        this.lease = lease;
        this.trainSet = train;
        this.trainingSize = train.size();
        this.batchSize = batchSize;
        this.inputShape = inputShape.clone();
        this.regression = train.task() == Task.REGRESSION;
        this.batches = new Batches(DatasetArrays.features(train), DatasetArrays.labels(train), train.featureCount(),
                train.labelCount(), inputShape);
        this.userListeners = net.listeners();
        List<TrainingListener> with = new ArrayList<>(userListeners);
        with.add(capture);
        net.setListeners(with);
    }

    @Override
    public int batchesPerEpoch() {
        return (trainingSize + batchSize - 1) / batchSize;
    }

    @Override
    public boolean trainBatch(int[] order, int from, int to) {
        lease.lock();
        try {
            if (closed) {
                return false;
            }
            INDArray[] xy = batches.gather(order, from, to);
            int rows = to - from;
            Nd4j.getRandom().setSeed(net.seed() + MIX * (net.iterationCount() + 1L));
            capture.labels = xy[1];
            capture.metricSum = Double.NaN;
            net.fit(new DataSet(xy[0], xy[1]));
            lossSum += net.score() * rows;
            metricSum += capture.metricSum;
            examples += rows;
            return true;
        } finally {
            capture.labels = null;
            lease.unlock();
        }
    }

    @Override
    public void resetRunning() {
        lossSum = 0;
        metricSum = 0;
        examples = 0;
    }

    @Override
    public double runningLoss() {
        return examples == 0 ? Double.NaN : lossSum / examples;
    }

    @Override
    public double runningMetric() {
        return examples == 0 ? Double.NaN : metricSum / examples;
    }

    @Override
    public String metricName() {
        return Evaluation.metricName(trainSet.task());
    }

    @Override
    public Evaluation evaluate(Dataset data) {
        Objects.requireNonNull(data, "data");
        lease.lock();
        try {
            checkOpen();
            return Evaluations.evaluate(net, data, Math.max(batchSize, 256), inputShape);
        } finally {
            lease.unlock();
        }
    }

    @Override
    public float[] parameters() {
        lease.lock();
        try {
            checkOpen();
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
            checkOpen();
            Parameters.write(net, values);
        } finally {
            lease.unlock();
        }
    }

    @Override
    public OptimizerState optimizerState() {
        lease.lock();
        try {
            checkOpen();
            INDArray state = net.updaterState();
            return OptimizerState.of(Parameters.OPTIMIZER, net.iterationCount(), Map.of(
                    Parameters.UPDATER_SLOT, state == null ? new float[0] : state.toFloatVector(),
                    Parameters.EPOCHS_SLOT, new float[] {net.epochCount()}));
        } finally {
            lease.unlock();
        }
    }

    @Override
    public void restoreOptimizerState(OptimizerState state) {
        Objects.requireNonNull(state, "state");
        lease.lock();
        try {
            checkOpen();
            Parameters.writeOptimizerState(net, state);
        } finally {
            lease.unlock();
        }
    }

    @Override
    public void setLearningRate(double learningRate) {
        if (!(learningRate >= 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learningRate must be >= 0 and finite, but was " + learningRate);
        }
        lease.lock();
        try {
            checkOpen();
            net.setLearningRate(learningRate);
        } finally {
            lease.unlock();
        }
    }

    /**
     * Remembers the parameters and, unlike a fused model's session, the updater's state and the
     * iteration count too: they belong to the network and outlive the session, so an epoch undone
     * must take back what its batches did to them as well.
     */
    @Override
    public void markRollbackPoint() {
        lease.lock();
        try {
            checkOpen();
            rollback = net.params().toFloatVector();
            rollbackState = optimizerState();
        } finally {
            lease.unlock();
        }
    }

    @Override
    public boolean rollBack() {
        lease.lock();
        try {
            checkOpen();
            if (rollback == null) {
                return false;
            }
            Parameters.write(net, rollback);
            Parameters.writeOptimizerState(net, rollbackState);
            return true;
        } finally {
            lease.unlock();
        }
    }

    @Override
    public void epochEnded() {
        lease.lock();
        try {
            checkOpen();
            net.incrementEpochCount();
        } finally {
            lease.unlock();
        }
    }

    @Override
    public void close() {
        List<Runnable> waiting;
        lease.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            rollback = null;
            rollbackState = null;
            net.setListeners(userListeners);
            waiting = lease.release(this);
        } finally {
            lease.unlock();
        }
        ModelLease.runAll(waiting);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this training session is closed");
        }
    }

    /**
     * Sees the forward pass of each {@code fit} and applies the output layer, in inference mode,
     * to the input the pass gave it: the batch's predictions before the update, for the metric.
     */
    private final class OutputCapture extends BaseTrainingListener {
        INDArray labels;
        double metricSum;

        @Override
        public void onForwardPass(Model model, List<INDArray> activations) {
            capture(model, activations);
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            capture(model, activations);
        }

        private void capture(Model model, Object activations) {
            if (labels == null || model != net.model()) {
                return;
            }
            INDArray in = net.outputLayerInput(activations);
            if (in == null) {
                return;
            }
            LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
            InputPreProcessor pre = net.outputPreProcessor();
            if (pre != null) {
                in = pre.preProcess(in, (int) in.size(0), none);
            }
            Layer out = net.outputLayer();
            INDArray predicted = out.activate(in, false, none);
            metricSum = regression ? absoluteErrorSum(predicted, labels) : correct(predicted, labels);
        }
    }

    /** Keras' {@code mae} summed over the rows: each row's mean over outputs of {@code |a - y|}. */
    static double absoluteErrorSum(INDArray predicted, INDArray labels) {
        INDArray diff = predicted.castTo(labels.dataType()).sub(labels);
        return Transforms.abs(diff, false).sumNumber().doubleValue() / labels.size(1);
    }

    /** Rows whose first largest output is their first largest target. */
    static double correct(INDArray predicted, INDArray labels) {
        float[] p = predicted.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        float[] y = labels.dup('c').data().asFloat();
        int rows = (int) labels.size(0);
        int n = (int) labels.size(1);
        long correct = 0;
        for (int r = 0; r < rows; r++) {
            if (argmax(p, r * n, n) == argmax(y, r * n, n)) {
                correct++;
            }
        }
        return correct;
    }

    private static int argmax(float[] v, int r, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[r + j] > v[r + best]) {
                best = j;
            }
        }
        return best;
    }
}
