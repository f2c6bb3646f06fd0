package io.epochflux.nn.internal;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The network on ND4J: matrix products through {@code Nd4j.gemm} into preallocated buffers, the
 * rest as in-place ND4J operations, the few temporaries of a step inside a workspace that is
 * recycled every batch, so native memory stays flat however long a run goes. It is the reference
 * the fused {@link HeapKernel} is tested against, and it works in any floating data type, which is
 * how the gradient checks run it in double precision; training uses it only when the system
 * property {@value Kernels#PROPERTY} says {@code nd4j}, since ND4J's cost per operation makes it
 * slower than the heap kernel even for large layers.
 */
public final class Nd4jKernel implements Kernel {

    private static final AtomicLong IDS = new AtomicLong();
    private static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.2)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private final Layout layout;
    private final DataType dtype;
    private final int layers;
    private final INDArray[] w;
    private final INDArray[] b;
    private final INDArray[] gw;
    private final INDArray[] gb;
    private final Nd4jUpdater updater;
    private final int maxRows;
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private final String workspaceId = "epochflux-step-" + IDS.incrementAndGet();
    private MemoryWorkspace workspace;
    private boolean closed;

    /** Examples as ND4J arrays. */
    static final class Nd4jData implements Data {
        final INDArray x;
        final INDArray y;
        final int size;
        final boolean regression;

        Nd4jData(INDArray x, INDArray y, boolean regression) {
            this.x = x;
            this.y = y;
            this.size = (int) x.rows();
            this.regression = regression;
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** The arrays one batch size needs. */
    private static final class Buffers {
        final int rows;
        final int[] index;
        final INDArray x;
        final INDArray y;
        final INDArray[] z;
        final INDArray[] a;
        final INDArray[] d;
        final INDArray[] t;

        Buffers(Layout layout, DataType dtype, int rows) {
            this.rows = rows;
            this.index = new int[rows];
            this.x = Nd4j.createUninitialized(dtype, rows, layout.inputs());
            this.y = Nd4j.createUninitialized(dtype, rows, layout.outputs());
            int n = layout.layers();
            z = new INDArray[n];
            a = new INDArray[n];
            d = new INDArray[n];
            t = new INDArray[n];
            for (int l = 0; l < n; l++) {
                z[l] = Nd4j.createUninitialized(dtype, rows, layout.units(l));
                a[l] = Nd4j.createUninitialized(dtype, rows, layout.units(l));
                d[l] = Nd4j.createUninitialized(dtype, rows, layout.units(l));
                t[l] = Nd4j.createUninitialized(dtype, rows, layout.units(l));
            }
        }

        void close() {
            x.close();
            y.close();
            for (INDArray[] group : new INDArray[][] {z, a, d, t}) {
                for (INDArray array : group) {
                    array.close();
                }
            }
        }
    }

    /**
     * Creates a kernel with its own copy of the parameters.
     *
     * @param layout the network's shape
     * @param params the flat parameters, copied
     * @param dtype {@code FLOAT} for training, {@code DOUBLE} for gradient checks
     * @param optimizer the update rule, or null for a kernel that only evaluates
     * @param batchSize the largest batch it will train on
     */
    public Nd4jKernel(Layout layout, float[] params, DataType dtype, Optimizer optimizer, int batchSize) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        if (!dtype.isFPType()) {
            throw new IllegalArgumentException("dtype must be a floating-point type, but was " + dtype);
        }
        this.layers = layout.layers();
        this.maxRows = Math.max(batchSize, 64);
        this.w = new INDArray[layers];
        this.b = new INDArray[layers];
        this.gw = new INDArray[layers];
        this.gb = new INDArray[layers];
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int l = 0; l < layers; l++) {
                int out = layout.units(l);
                int in = layout.fanIn(l);
                w[l] = Nd4j.create(dtype, out, in);
                b[l] = Nd4j.create(dtype, out);
                gw[l] = Nd4j.create(dtype, out, in);
                gb[l] = Nd4j.create(dtype, out);
            }
            writeParameters(params);
            this.updater = optimizer == null ? null : Nd4jUpdater.of(optimizer, w, b);
        }
    }

    @Override
    public String name() {
        return "nd4j/" + dtype;
    }

    @Override
    public Data prepare(Dataset dataset) {
        Kernels.checkShape(layout, dataset);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return new Nd4jData(dataset.features().castTo(dtype), dataset.labels().castTo(dtype),
                    dataset.task() == io.epochflux.data.Task.REGRESSION);
        }
    }

    @Override
    public void trainBatch(Data data, int[] order, int from, int to, Tally tally) {
        if (updater == null) {
            throw new IllegalStateException("this kernel was made for evaluation only");
        }
        Buffers buf = gather((Nd4jData) data, order, from, to);
        try (MemoryWorkspace ignored = enterStep()) {
            forward(buf, buf.x);
            double lossSum = output(buf, true);
            long correct = countCorrect(buf);
            if (((Nd4jData) data).regression) {
                tally.addAbsoluteError(absoluteErrorSum(buf));
            }
            backward(buf);
            updater.update(w, b, gw, gb);
            tally.add(lossSum, correct, buf.rows);
        }
    }

    @Override
    public void setLearningRate(double learningRate) {
        if (updater == null) {
            throw new IllegalStateException("this kernel was made for evaluation only");
        }
        updater.setLearningRate(learningRate);
    }

    /**
     * The mean loss of a batch and its gradient, in this kernel's data type, without updating:
     * for gradient checks.
     *
     * @param data prepared data
     * @param order example indices
     * @param from first position, inclusive
     * @param to last position, exclusive
     * @param gradient receives the gradient of the mean loss, flat as {@link Layout} arranges it
     * @return the mean loss
     */
    double lossAndGradient(Data data, int[] order, int from, int to, double[] gradient) {
        Buffers buf = gather((Nd4jData) data, order, from, to);
        try (MemoryWorkspace ignored = enterStep()) {
            forward(buf, buf.x);
            double lossSum = output(buf, true);
            backward(buf);
            for (int l = 0; l < layers; l++) {
                System.arraycopy(gw[l].data().asDouble(), 0, gradient, layout.weightOffset(l), (int) gw[l].length());
                System.arraycopy(gb[l].data().asDouble(), 0, gradient, layout.biasOffset(l), (int) gb[l].length());
            }
            return lossSum / buf.rows;
        }
    }

    /**
     * The mean loss of a batch in this kernel's data type: for gradient checks.
     *
     * @param data prepared data
     * @param order example indices
     * @param from first position, inclusive
     * @param to last position, exclusive
     * @return the mean loss
     */
    double loss(Data data, int[] order, int from, int to) {
        Buffers buf = gather((Nd4jData) data, order, from, to);
        try (MemoryWorkspace ignored = enterStep()) {
            forward(buf, buf.x);
            return output(buf, false) / buf.rows;
        }
    }

    /**
     * Reads one parameter at full precision.
     *
     * @param index its position in the flat vector
     * @return its value
     */
    double parameter(int index) {
        return locate(index).getDouble(offsetIn(index));
    }

    /**
     * Sets one parameter at full precision.
     *
     * @param index its position in the flat vector
     * @param value the new value
     */
    void parameter(int index, double value) {
        locate(index).putScalar(offsetIn(index), value);
    }

    private INDArray locate(int index) {
        for (int l = layers - 1; l >= 0; l--) {
            if (index >= layout.biasOffset(l)) {
                return b[l];
            }
            if (index >= layout.weightOffset(l)) {
                return w[l].reshape(w[l].length());
            }
        }
        throw new IndexOutOfBoundsException(index);
    }

    private long offsetIn(int index) {
        for (int l = layers - 1; l >= 0; l--) {
            if (index >= layout.biasOffset(l)) {
                return index - layout.biasOffset(l);
            }
            if (index >= layout.weightOffset(l)) {
                return index - layout.weightOffset(l);
            }
        }
        throw new IndexOutOfBoundsException(index);
    }

    @Override
    public void evaluate(Data data, Tally tally) {
        Nd4jData d = (Nd4jData) data;
        int[] order = sequence(d.size);
        for (int start = 0; start < d.size; start += maxRows) {
            int end = Math.min(d.size, start + maxRows);
            Buffers buf = gather(d, order, start, end);
            try (MemoryWorkspace ignored = enterStep()) {
                forward(buf, buf.x);
                double lossSum = output(buf, false);
                tally.add(lossSum, countCorrect(buf), buf.rows);
                if (d.regression) {
                    tally.addAbsoluteError(absoluteErrorSum(buf));
                }
            }
        }
    }

    @Override
    public float[] predict(float[] x, int rows) {
        int outputs = layout.outputs();
        float[] result = new float[rows * outputs];
        INDArray all;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            all = Nd4j.create(x, new long[] {rows, layout.inputs()}, 'c').castTo(dtype);
        }
        Nd4jData d = new Nd4jData(all, Nd4j.zeros(dtype, rows, outputs), false);
        int[] order = sequence(rows);
        for (int start = 0; start < rows; start += maxRows) {
            int end = Math.min(rows, start + maxRows);
            Buffers buf = gather(d, order, start, end);
            try (MemoryWorkspace ignored = enterStep()) {
                forward(buf, buf.x);
                INDArray last = buf.a[layers - 1];
                last.assign(buf.z[layers - 1]);
                activate(layout.activation(layers - 1), last);
                float[] values = last.castTo(DataType.FLOAT).data().asFloat();
                System.arraycopy(values, 0, result, start * outputs, values.length);
            }
        }
        all.close();
        d.y.close();
        return result;
    }

    @Override
    public void readParameters(float[] dst) {
        for (int l = 0; l < layers; l++) {
            System.arraycopy(w[l].data().asFloat(), 0, dst, layout.weightOffset(l), (int) w[l].length());
            System.arraycopy(b[l].data().asFloat(), 0, dst, layout.biasOffset(l), (int) b[l].length());
        }
    }

    @Override
    public io.epochflux.nn.OptimizerState exportOptimizerState() {
        if (updater == null) {
            throw new IllegalStateException("this kernel was made for evaluation only");
        }
        return updater.export(layout);
    }

    @Override
    public void importOptimizerState(io.epochflux.nn.OptimizerState state) {
        Objects.requireNonNull(state, "state");
        if (updater == null) {
            throw new IllegalStateException("this kernel was made for evaluation only");
        }
        updater.load(state, layout);
    }

    @Override
    public void writeParameters(float[] src) {
        if (src.length != layout.parameterCount()) {
            throw new IllegalArgumentException("src.length must be " + layout.parameterCount() + ", but was "
                    + src.length);
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int l = 0; l < layers; l++) {
                int out = layout.units(l);
                int in = layout.fanIn(l);
                float[] weights = java.util.Arrays.copyOfRange(src, layout.weightOffset(l), layout.weightOffset(l) + out * in);
                float[] biases = java.util.Arrays.copyOfRange(src, layout.biasOffset(l), layout.biasOffset(l) + out);
                w[l].assign(Nd4j.create(weights, new long[] {out, in}, 'c').castTo(dtype));
                b[l].assign(Nd4j.create(biases, new long[] {out}, 'c').castTo(dtype));
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Buffers buf : buffers.values()) {
            buf.close();
        }
        buffers.clear();
        for (INDArray[] group : new INDArray[][] {w, b, gw, gb}) {
            for (INDArray array : group) {
                array.close();
            }
        }
        if (updater != null) {
            updater.close();
        }
        if (workspace != null) {
            workspace.destroyWorkspace(true);
            workspace = null;
        }
    }

    private MemoryWorkspace enterStep() {
        MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, workspaceId);
        workspace = ws;
        return ws;
    }

    private static int[] sequence(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    private Buffers gather(Nd4jData data, int[] order, int from, int to) {
        int rows = to - from;
        if (rows < 1 || rows > maxRows) {
            throw new IllegalArgumentException("a batch must have 1.." + maxRows + " rows, but had " + rows);
        }
        Buffers buf = buffers.get(rows);
        if (buf == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                buf = new Buffers(layout, dtype, rows);
            }
            buffers.put(rows, buf);
        }
        System.arraycopy(order, from, buf.index, 0, rows);
        Nd4j.pullRows(data.x, buf.x, 1, buf.index);
        Nd4j.pullRows(data.y, buf.y, 1, buf.index);
        return buf;
    }

    /** Pre-activations of every layer, activations of every layer but the last. */
    private void forward(Buffers buf, INDArray x) {
        INDArray input = x;
        for (int l = 0; l < layers; l++) {
            Nd4j.gemm(input, w[l], buf.z[l], false, true, 1.0, 0.0);
            buf.z[l].addiRowVector(b[l]);
            if (l < layers - 1) {
                buf.a[l].assign(buf.z[l]);
                activate(layout.activation(l), buf.a[l]);
            }
            input = buf.a[l];
        }
    }

    private static void activate(Activation activation, INDArray a) {
        switch (activation) {
            case RELU -> Transforms.relu(a, false);
            case SIGMOID -> Transforms.sigmoid(a, false);
            case TANH -> Transforms.tanh(a, false);
            case SOFTMAX -> Transforms.softmax(a, false);
            case LINEAR -> {
            }
        }
    }

    /** Activates the last layer; returns the loss sum; optionally writes its delta. */
    private double output(Buffers buf, boolean gradient) {
        int l = layers - 1;
        INDArray z = buf.z[l];
        INDArray a = buf.a[l];
        INDArray d = buf.d[l];
        INDArray y = buf.y;
        double scale = 1.0 / buf.rows;
        a.assign(z);
        activate(layout.activation(l), a);
        if (layout.softmaxCrossEntropy()) {
            INDArray logProbabilities = Nd4j.createUninitialized(dtype, z.shape());
            Nd4j.exec(new LogSoftMax(z, logProbabilities));
            double lossSum = -logProbabilities.muli(y).sumNumber().doubleValue();
            if (gradient) {
                INDArray ySum = y.sum(1).reshape(buf.rows, 1);
                d.assign(a).muliColumnVector(ySum).subi(y).muli(scale);
            }
            return lossSum;
        }
        INDArray g = buf.t[l];
        double lossSum;
        int outputs = layout.outputs();
        if (layout.loss() == Loss.MEAN_SQUARED_ERROR) {
            g.assign(a).subi(y);
            lossSum = g.mul(g).sumNumber().doubleValue() / outputs;
            g.muli(2.0 / outputs * scale);
        } else {
            double eps = HeapKernel.EPSILON;
            INDArray sum = a.sum(1).reshape(buf.rows, 1);
            INDArray p = a.dup().diviColumnVector(sum);
            INDArray clipped = Transforms.min(Transforms.max(p, eps, true), 1 - eps, false);
            lossSum = -Transforms.log(clipped, false).muli(y).sumNumber().doubleValue();
            // d loss / d p is -y / p where the clip lets p through, 0 where it does not
            INDArray inside = Transforms.step(p.sub(eps), false).muli(Transforms.step(p.rsub(1 - eps), false));
            INDArray dp = y.neg().divi(p).muli(inside);
            INDArray gp = dp.mul(p).sum(1).reshape(buf.rows, 1);
            g.assign(dp.subiColumnVector(gp).diviColumnVector(sum)).muli(scale);
        }
        if (gradient) {
            activationBackward(layout.activation(l), a, g, d);
        }
        return lossSum;
    }

    /** Keras' {@code mae} summed over the batch: each row's mean over outputs of {@code |a - y|}. */
    private double absoluteErrorSum(Buffers buf) {
        INDArray diff = buf.a[layers - 1].sub(buf.y);
        return org.nd4j.linalg.ops.transforms.Transforms.abs(diff, false).sumNumber().doubleValue() / layout.outputs();
    }

    private long countCorrect(Buffers buf) {
        INDArray predicted = Nd4j.argMax(buf.a[layers - 1], 1);
        INDArray actual = Nd4j.argMax(buf.y, 1);
        return predicted.eq(actual).castTo(DataType.INT32).sumNumber().longValue();
    }

    private void backward(Buffers buf) {
        for (int l = layers - 1; l >= 0; l--) {
            INDArray input = l == 0 ? buf.x : buf.a[l - 1];
            INDArray d = buf.d[l];
            Nd4j.gemm(d, input, gw[l], true, false, 1.0, 0.0);
            d.sum(gb[l], 0);
            if (l > 0) {
                INDArray g = buf.t[l - 1];
                Nd4j.gemm(d, w[l], g, false, false, 1.0, 0.0);
                activationBackward(layout.activation(l - 1), buf.a[l - 1], g, buf.d[l - 1]);
            }
        }
    }

    /** {@code d = d loss / d z} from {@code g = d loss / d a}; {@code g} may be overwritten. */
    private static void activationBackward(Activation activation, INDArray a, INDArray g, INDArray d) {
        switch (activation) {
            case RELU -> d.assign(Transforms.step(a, true)).muli(g);
            case SIGMOID -> d.assign(a).rsubi(1.0).muli(a).muli(g);
            case TANH -> d.assign(a).muli(a).rsubi(1.0).muli(g);
            case LINEAR -> d.assign(g);
            case SOFTMAX -> {
                INDArray dot = g.mul(a).sum(1).reshape(a.rows(), 1);
                d.assign(g).subiColumnVector(dot).muli(a);
            }
        }
    }
}
