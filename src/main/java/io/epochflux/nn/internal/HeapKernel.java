package io.epochflux.nn.internal;

import io.epochflux.internal.DatasetArrays;
import io.epochflux.data.Dataset;
import io.epochflux.data.Task;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Optimizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * A fused kernel over heap {@code float[]} arrays, for networks whose layers are too small for
 * ND4J's per-call overhead to pay off (the seed's 784-2-10 at batch 10 spends 10 us per ND4J call
 * on a few hundred nanoseconds of arithmetic). Every buffer is allocated once; a batch reads its
 * shuffled examples straight from the dataset's array, so a training step allocates nothing.
 *
 * <p>The parameter array is used in place: a kernel built over a model's own array trains that
 * model without copying.
 */
public final class HeapKernel implements Kernel {

    /** Keras' clipping of probabilities before a logarithm. */
    static final float EPSILON = 1e-7f;
    private static final int MIN_EVAL_ROWS = 64;

    private final Layout layout;
    private final FloatOps ops;
    private final float[] params;
    private final float[] grad;
    private final HeapUpdater updater;
    private final int maxRows;
    private final float[][] z;
    private final float[][] a;
    private final float[][] delta;
    private final float[] scratch;
    private final int[] inputOffsets;
    private final int[] targetOffsets;
    private final int[][] rowOffsets;
    private final int last;

    /** Examples as the heap kernel reads them. */
    static final class HeapData implements Data {
        final float[] x;
        final float[] y;
        final int size;

        /** Each example's class: the first largest target, as accuracy reads it. */
        final int[] classes;
        /** Whether the targets are numbers (the mean absolute error is tallied) rather than classes. */
        final boolean regression;

        HeapData(float[] x, float[] y, int size, int outputs, boolean regression) {
            this.x = x;
            this.y = y;
            this.size = size;
            this.regression = regression;
            this.classes = new int[size];
            for (int e = 0; e < size; e++) {
                classes[e] = argmax(y, e * outputs, outputs);
            }
        }

        @Override
        public int size() {
            return size;
        }
    }

    /**
     * Creates a kernel over a parameter array.
     *
     * @param layout the network's shape
     * @param params the flat parameters, used in place
     * @param ops the loops to run
     * @param optimizer the update rule, or null for a kernel that only evaluates
     * @param batchSize the largest batch it will train on
     */
    public HeapKernel(Layout layout, float[] params, FloatOps ops, Optimizer optimizer, int batchSize) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.params = Objects.requireNonNull(params, "params");
        this.ops = Objects.requireNonNull(ops, "ops");
        if (params.length != layout.parameterCount()) {
            throw new IllegalArgumentException("params.length must be " + layout.parameterCount() + ", but was "
                    + params.length);
        }
        this.maxRows = Math.max(batchSize, MIN_EVAL_ROWS);
        this.grad = optimizer == null ? null : new float[params.length];
        this.updater = optimizer == null ? null : HeapUpdater.of(optimizer, params.length, ops);
        int layers = layout.layers();
        this.last = layers - 1;
        this.z = new float[layers][];
        this.a = new float[layers][];
        this.delta = new float[layers][];
        this.rowOffsets = new int[layers][];
        for (int l = 0; l < layers; l++) {
            int units = layout.units(l);
            z[l] = new float[maxRows * units];
            a[l] = new float[maxRows * units];
            delta[l] = new float[maxRows * units];
            int fanIn = layout.fanIn(l);
            rowOffsets[l] = new int[maxRows];
            for (int i = 0; i < maxRows; i++) {
                rowOffsets[l][i] = i * fanIn;
            }
        }
        this.scratch = new float[maxRows * layout.maxWidth()];
        this.inputOffsets = new int[maxRows];
        this.targetOffsets = new int[maxRows];
    }

    @Override
    public String name() {
        return "heap/" + ops.name();
    }

    @Override
    public Data prepare(Dataset dataset) {
        Kernels.checkShape(layout, dataset);
        // read in place: the kernel never writes to its data, and a dataset never changes
        return new HeapData(DatasetArrays.features(dataset), DatasetArrays.labels(dataset), dataset.size(),
                layout.outputs(), dataset.task() == Task.REGRESSION);
    }

    @Override
    public void trainBatch(Data data, int[] order, int from, int to, Tally tally) {
        if (updater == null) {
            throw new IllegalStateException("this kernel was made for evaluation only");
        }
        HeapData d = (HeapData) data;
        double lossSum = forwardBackward(d, order, from, to);
        int rows = to - from;
        long correct = countCorrect(d.classes, rows);
        if (d.regression) {
            tally.addAbsoluteError(absoluteErrorSum(d.y, rows));
        }
        updater.update(params, grad);
        ops.weightsChanged();
        tally.add(lossSum, correct, rows);
    }

    @Override
    public void setLearningRate(double learningRate) {
        if (updater == null) {
            throw new IllegalStateException("this kernel was made for evaluation only");
        }
        updater.setLearningRate(learningRate);
    }

    /** Forward and backward over {@code order[from..to)}: the gradient in {@link #grad}, the loss sum returned. */
    private double forwardBackward(HeapData d, int[] order, int from, int to) {
        int rows = to - from;
        if (rows < 1 || rows > maxRows) {
            throw new IllegalArgumentException("a batch must have 1.." + maxRows + " rows, but had " + rows);
        }
        int inputs = layout.inputs();
        int outputs = layout.outputs();
        for (int i = 0; i < rows; i++) {
            int example = order[from + i];
            inputOffsets[i] = example * inputs;
            targetOffsets[i] = example * outputs;
        }
        forward(d.x, rows);
        double lossSum = output(d.y, rows, true);
        backward(d.x, rows);
        return lossSum;
    }

    /**
     * Computes the mean loss of a batch and its gradient, without updating: for gradient checks.
     *
     * @param data prepared data
     * @param order example indices
     * @param from first position, inclusive
     * @param to last position, exclusive
     * @param gradient receives the gradient of the mean loss
     * @return the mean loss
     */
    double lossAndGradient(Data data, int[] order, int from, int to, float[] gradient) {
        double lossSum = forwardBackward((HeapData) data, order, from, to);
        System.arraycopy(grad, 0, gradient, 0, grad.length);
        return lossSum / (to - from);
    }

    @Override
    public void evaluate(Data data, Tally tally) {
        HeapData d = (HeapData) data;
        int inputs = layout.inputs();
        int outputs = layout.outputs();
        for (int start = 0; start < d.size; start += maxRows) {
            int rows = Math.min(maxRows, d.size - start);
            for (int i = 0; i < rows; i++) {
                inputOffsets[i] = (start + i) * inputs;
                targetOffsets[i] = (start + i) * outputs;
            }
            forward(d.x, rows);
            double lossSum = output(d.y, rows, false);
            tally.add(lossSum, countCorrect(d.classes, rows), rows);
            if (d.regression) {
                tally.addAbsoluteError(absoluteErrorSum(d.y, rows));
            }
        }
    }

    @Override
    public float[] predict(float[] x, int rows) {
        int inputs = layout.inputs();
        int outputs = layout.outputs();
        float[] result = new float[rows * outputs];
        for (int start = 0; start < rows; start += maxRows) {
            int n = Math.min(maxRows, rows - start);
            for (int i = 0; i < n; i++) {
                inputOffsets[i] = (start + i) * inputs;
            }
            forward(x, n);
            activate(last, n);
            System.arraycopy(a[last], 0, result, start * outputs, n * outputs);
        }
        return result;
    }

    @Override
    public void readParameters(float[] dst) {
        System.arraycopy(params, 0, dst, 0, params.length);
    }

    @Override
    public io.epochflux.nn.OptimizerState exportOptimizerState() {
        if (updater == null) {
            throw new IllegalStateException("this kernel was made for evaluation only");
        }
        return updater.export();
    }

    @Override
    public void importOptimizerState(io.epochflux.nn.OptimizerState state) {
        java.util.Objects.requireNonNull(state, "state");
        if (updater == null) {
            throw new IllegalStateException("this kernel was made for evaluation only");
        }
        updater.load(state);
    }

    @Override
    public void writeParameters(float[] src) {
        System.arraycopy(src, 0, params, 0, params.length);
        ops.weightsChanged();
    }

    @Override
    public void close() {
        // heap buffers go with the garbage collector; BLAS scratch buffers are native
        if (ops instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not release the kernel's native buffers", e);
            }
        }
    }

    /** Pre-activations of every layer, activations of every layer but the last. */
    private void forward(float[] x, int rows) {
        for (int l = 0; l <= last; l++) {
            int out = layout.units(l);
            int in = layout.fanIn(l);
            float[] input = l == 0 ? x : a[l - 1];
            int[] offsets = l == 0 ? inputOffsets : rowOffsets[l];
            float[] zl = z[l];
            ops.forward(params, layout.weightOffset(l), out, in, input, offsets, rows, zl);
            int b = layout.biasOffset(l);
            if (l < last && layout.activation(l) == Activation.RELU) {
                ops.biasRelu(zl, a[l], params, b, rows, out);
                continue;
            }
            for (int i = 0; i < rows; i++) {
                int r = i * out;
                for (int j = 0; j < out; j++) {
                    zl[r + j] += params[b + j];
                }
            }
            if (l < last) {
                activate(l, rows);
            }
        }
    }

    private void activate(int l, int rows) {
        int out = layout.units(l);
        int n = rows * out;
        float[] zl = z[l];
        float[] al = a[l];
        switch (layout.activation(l)) {
            case RELU -> {
                for (int k = 0; k < n; k++) {
                    al[k] = Math.max(zl[k], 0f);
                }
            }
            case SIGMOID -> {
                for (int k = 0; k < n; k++) {
                    al[k] = (float) (1.0 / (1.0 + Math.exp(-zl[k])));
                }
            }
            case TANH -> {
                for (int k = 0; k < n; k++) {
                    al[k] = (float) Math.tanh(zl[k]);
                }
            }
            case LINEAR -> System.arraycopy(zl, 0, al, 0, n);
            case SOFTMAX -> {
                for (int i = 0; i < rows; i++) {
                    softmaxRow(zl, al, i * out, out);
                }
            }
        }
    }

    /** Writes softmax of one row and returns its log-sum-exp, {@code max + log(sum)}. */
    static double softmaxRow(float[] zl, float[] al, int r, int out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < out; j++) {
            max = Math.max(max, zl[r + j]);
        }
        double sum = 0;
        for (int j = 0; j < out; j++) {
            float e = Exp.exp(zl[r + j] - max);
            al[r + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < out; j++) {
            al[r + j] *= inv;
        }
        return max + Math.log(sum);
    }

    /**
     * Activates the last layer, returns the sum of the per-example losses, and, when asked, writes
     * the gradient of the batch's mean loss with respect to the last pre-activations.
     */
    private double output(float[] y, int rows, boolean gradient) {
        int out = layout.outputs();
        float[] zl = z[last];
        float[] al = a[last];
        float[] dl = delta[last];
        float scale = 1f / rows;
        double lossSum = 0;
        if (layout.softmaxCrossEntropy()) {
            for (int i = 0; i < rows; i++) {
                int r = i * out;
                int t = targetOffsets[i];
                double lse = softmaxRow(zl, al, r, out);
                double loss = 0;
                float ySum = 0;
                for (int j = 0; j < out; j++) {
                    float yj = y[t + j];
                    if (yj != 0f) {
                        loss += yj * (lse - zl[r + j]);
                        ySum += yj;
                    }
                }
                lossSum += loss;
                if (gradient) {
                    for (int j = 0; j < out; j++) {
                        dl[r + j] = (al[r + j] * ySum - y[t + j]) * scale;
                    }
                }
            }
            return lossSum;
        }
        activate(last, rows);
        float[] g = scratch;
        if (layout.loss() == Loss.MEAN_SQUARED_ERROR) {
            for (int i = 0; i < rows; i++) {
                int r = i * out;
                int t = targetOffsets[i];
                double loss = 0;
                for (int j = 0; j < out; j++) {
                    float diff = al[r + j] - y[t + j];
                    loss += (double) diff * diff;
                    g[r + j] = 2f * diff / out * scale;
                }
                lossSum += loss / out;
            }
        } else {
            // Keras: p = a / sum(a), clipped to [eps, 1 - eps], loss = -sum(y log p)
            for (int i = 0; i < rows; i++) {
                int r = i * out;
                int t = targetOffsets[i];
                float sum = 0;
                for (int j = 0; j < out; j++) {
                    sum += al[r + j];
                }
                double loss = 0;
                float gp = 0;
                for (int j = 0; j < out; j++) {
                    float p = al[r + j] / sum;
                    float clipped = Math.min(Math.max(p, EPSILON), 1f - EPSILON);
                    float yj = y[t + j];
                    loss -= yj * Math.log(clipped);
                    float dp = (p > EPSILON && p < 1f - EPSILON) ? -yj / p : 0f;
                    g[r + j] = dp;
                    gp += dp * p;
                }
                lossSum += loss;
                for (int j = 0; j < out; j++) {
                    g[r + j] = (g[r + j] - gp) / sum * scale;
                }
            }
        }
        if (gradient) {
            activationBackward(last, rows, g, dl);
        }
        return lossSum;
    }

    /** The index of the first largest of {@code v[r..r+n)}, relative to {@code r}: Keras' argmax. */
    private static int argmax(float[] v, int r, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[r + j] > v[r + best]) {
                best = j;
            }
        }
        return best;
    }

    /** Keras' {@code mae} summed over the batch: each row's mean over outputs of {@code |a - y|}. */
    private double absoluteErrorSum(float[] y, int rows) {
        int out = layout.outputs();
        float[] al = a[last];
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            int r = i * out;
            int t = targetOffsets[i];
            double row = 0;
            for (int j = 0; j < out; j++) {
                row += Math.abs(al[r + j] - y[t + j]);
            }
            sum += row / out;
        }
        return sum;
    }

    private long countCorrect(int[] classes, int rows) {
        int out = layout.outputs();
        float[] al = a[last];
        long correct = 0;
        for (int i = 0; i < rows; i++) {
            if (argmax(al, i * out, out) == classes[targetOffsets[i] / out]) {
                correct++;
            }
        }
        return correct;
    }

    private void backward(float[] x, int rows) {
        for (int l = last; l >= 0; l--) {
            int out = layout.units(l);
            int in = layout.fanIn(l);
            float[] dl = delta[l];
            float[] input = l == 0 ? x : a[l - 1];
            int[] offsets = l == 0 ? inputOffsets : rowOffsets[l];
            ops.accumulateWeightGradient(grad, layout.weightOffset(l), out, in, dl, input, offsets, rows);
            int b = layout.biasOffset(l);
            Arrays.fill(grad, b, b + out, 0f);
            for (int i = 0; i < rows; i++) {
                int r = i * out;
                for (int j = 0; j < out; j++) {
                    grad[b + j] += dl[r + j];
                }
            }
            if (l > 0) {
                ops.backpropagate(params, layout.weightOffset(l), out, in, dl, rows, scratch);
                activationBackward(l - 1, rows, scratch, delta[l - 1]);
            }
        }
    }

    /** {@code out = d loss / d z} of layer {@code l}, from {@code g = d loss / d a}. */
    private void activationBackward(int l, int rows, float[] g, float[] out) {
        int units = layout.units(l);
        int n = rows * units;
        float[] al = a[l];
        Activation activation = layout.activation(l);
        switch (activation) {
            case RELU -> ops.reluBackward(al, g, out, n);
            case SIGMOID -> {
                for (int k = 0; k < n; k++) {
                    out[k] = g[k] * al[k] * (1f - al[k]);
                }
            }
            case TANH -> {
                for (int k = 0; k < n; k++) {
                    out[k] = g[k] * (1f - al[k] * al[k]);
                }
            }
            case LINEAR -> System.arraycopy(g, 0, out, 0, n);
            case SOFTMAX -> {
                for (int i = 0; i < rows; i++) {
                    int r = i * units;
                    float dot = 0;
                    for (int j = 0; j < units; j++) {
                        dot += g[r + j] * al[r + j];
                    }
                    for (int j = 0; j < units; j++) {
                        out[r + j] = al[r + j] * (g[r + j] - dot);
                    }
                }
            }
        }
    }
}
