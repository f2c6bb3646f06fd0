package io.epochflux.nn.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The heap kernel's three loops, with the large matrix products handed to ND4J's BLAS: a product
 * of at least {@link #THRESHOLD} multiply-adds is copied into native buffers, multiplied by
 * {@code Nd4j.gemm}, and copied back; smaller ones run in the given heap loops. Everything else the
 * heap kernel does (bias, activations, loss, optimizer) stays fused over heap arrays, which is
 * where ND4J's per-operation cost would otherwise dominate even a large network.
 *
 * <p>Each product's operands are copied once a step: the rows a layer's forward pass gathered are
 * multiplied again by its weight gradient, and the output gradient copied for the weight gradient
 * serves the input gradient that follows it. Both reuses hold because the heap kernel writes neither
 * a layer's input between its forward pass and its weight gradient, nor a layer's delta between its
 * two backward products; each is checked by identity of the arrays and offsets, and forgotten at the
 * next optimizer step.
 *
 * <p>Holds native scratch buffers, so one instance serves one kernel on one thread; {@link #close()}
 * releases them.
 */
final class BlasFloatOps implements FloatOps, AutoCloseable {

    /** Products smaller than this many multiply-adds stay in heap loops. */
    static final long THRESHOLD = 1L << 20;

    private final FloatOps small;
    private final int threads;
    private Thread threadsSetOn;
    private final Map<Shape, INDArray> scratch = new HashMap<>();
    /** Weights copied to native memory, by offset in the parameter array, until the next step. */
    private final Map<Integer, INDArray> weights = new HashMap<>();
    private float[] weightsSource;
    /** What each large layer's last forward pass gathered, by weight offset. */
    private final Map<Integer, Gathered> gathered = new HashMap<>();
    /** The output gradient last copied for a weight gradient, and for which layer. */
    private float[] deltaSource;
    private int deltaLayer = -1;
    private int deltaRows;
    private INDArray deltaCopy;

    /** Input rows gathered into a native matrix: which array, which offsets. */
    private static final class Gathered {
        final int[] offsets;
        float[] source;
        int rows;
        INDArray matrix;

        Gathered(int capacity) {
            offsets = new int[capacity];
        }

        boolean holds(float[] x, int[] xOff, int rows) {
            return source == x && this.rows == rows && Arrays.equals(offsets, 0, rows, xOff, 0, rows);
        }
    }

    BlasFloatOps(FloatOps small) {
        this(small, 1);
    }

    /**
     * @param small the loops for everything BLAS does not do
     * @param threads BLAS threads for the products, {@code >= 1}
     */
    BlasFloatOps(FloatOps small, int threads) {
        this.small = Objects.requireNonNull(small, "small");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, but was " + threads);
        }
        this.threads = threads;
    }

    /**
     * Sets OpenBLAS's thread count from the thread that is about to multiply. Epochs run as tasks on
     * a pool, so that thread may change from one epoch to the next; an OpenMP build of OpenBLAS
     * keeps the count per calling thread, and setting it again costs nothing measurable.
     */
    private void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
        Thread current = Thread.currentThread();
        if (current != threadsSetOn) {
            Nd4j.factory().blas().setMaxThreads(threads);
            threadsSetOn = current;
        }
        Nd4j.gemm(a, b, c, transposeA, transposeB, 1.0, 0.0);
    }

    @Override
    public String name() {
        return small.name() + "+blas";
    }

    private static boolean large(int rows, int out, int in) {
        return (long) rows * out * in >= THRESHOLD;
    }

    private record Shape(int role, int layer, int rows, int columns) {
    }

    private INDArray buffer(int role, int rows, int columns) {
        return buffer(role, 0, rows, columns);
    }

    /** A native float matrix of this shape, one per role and layer, reused. */
    private INDArray buffer(int role, int layer, int rows, int columns) {
        Shape key = new Shape(role, layer, rows, columns);
        INDArray array = scratch.get(key);
        if (array == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                array = Nd4j.createUninitialized(DataType.FLOAT, rows, columns);
            }
            scratch.put(key, array);
        }
        return array;
    }

    private static FloatBuffer view(INDArray array) {
        return array.data().asNioFloat();
    }

    /** Gathers a layer's input rows; each layer has its own matrix, which its weight gradient may reuse. */
    private INDArray gatherRows(int layer, float[] x, int[] xOff, int rows, int in) {
        INDArray m = buffer(0, layer, rows, in);
        FloatBuffer b = view(m);
        for (int i = 0; i < rows; i++) {
            b.put(i * in, x, xOff[i], in);
        }
        return m;
    }

    private INDArray copy(int role, float[] source, int offset, int rows, int columns) {
        INDArray m = buffer(role, rows, columns);
        view(m).put(0, source, offset, rows * columns);
        return m;
    }

    @Override
    public void forward(float[] w, int wOff, int out, int in, float[] x, int[] xOff, int rows, float[] z) {
        if (!large(rows, out, in)) {
            small.forward(w, wOff, out, in, x, xOff, rows, z);
            return;
        }
        INDArray xm = gatherRows(wOff, x, xOff, rows, in);
        Gathered g = gathered.get(wOff);
        if (g == null || g.offsets.length < rows) {
            g = new Gathered(Math.max(rows, g == null ? 0 : g.offsets.length));
            gathered.put(wOff, g);
        }
        System.arraycopy(xOff, 0, g.offsets, 0, rows);
        g.source = x;
        g.rows = rows;
        g.matrix = xm;
        INDArray wm = weights(w, wOff, out, in);
        INDArray zm = buffer(2, rows, out);
        gemm(xm, wm, zm, false, true);
        view(zm).get(0, z, 0, rows * out);
    }

    @Override
    public void accumulateWeightGradient(float[] g, int gOff, int out, int in, float[] delta, float[] x, int[] xOff,
                                         int rows) {
        if (!large(rows, out, in)) {
            small.accumulateWeightGradient(g, gOff, out, in, delta, x, xOff, rows);
            return;
        }
        INDArray dm = copy(3, delta, 0, rows, out);
        deltaSource = delta;
        deltaLayer = gOff;
        deltaRows = rows;
        deltaCopy = dm;
        Gathered last = gathered.get(gOff);
        INDArray xm = last != null && last.holds(x, xOff, rows) ? last.matrix : gatherRows(gOff, x, xOff, rows, in);
        INDArray gm = buffer(4, out, in);
        gemm(dm, xm, gm, true, false);
        view(gm).get(0, g, gOff, out * in);
    }

    /** The layer's weights in native memory: copied once per optimizer step, then reused. */
    private INDArray weights(float[] w, int wOff, int out, int in) {
        if (w != weightsSource) {
            weights.clear();
            weightsSource = w;
        }
        INDArray m = weights.get(wOff);
        if (m == null) {
            m = copy(1000 + weights.size(), w, wOff, out, in);
            weights.put(wOff, m);
        }
        return m;
    }

    @Override
    public void weightsChanged() {
        weights.clear();
        gathered.clear();
        deltaSource = null;
        deltaLayer = -1;
        deltaCopy = null;
    }

    @Override
    public void biasRelu(float[] z, float[] a, float[] b, int bOff, int rows, int out) {
        small.biasRelu(z, a, b, bOff, rows, out);
    }

    @Override
    public void reluBackward(float[] a, float[] g, float[] out, int n) {
        small.reluBackward(a, g, out, n);
    }

    @Override
    public void adam(float[] params, float[] grad, float[] m, float[] v, float alpha, float c1, float c2, float eps) {
        small.adam(params, grad, m, v, alpha, c1, c2, eps);
    }

    @Override
    public void backpropagate(float[] w, int wOff, int out, int in, float[] delta, int rows, float[] dx) {
        if (!large(rows, out, in)) {
            small.backpropagate(w, wOff, out, in, delta, rows, dx);
            return;
        }
        // the weight gradient just before copied this delta: layer offsets match in the gradient vector
        boolean copied = delta == deltaSource && wOff == deltaLayer && rows == deltaRows;
        INDArray dm = copied ? deltaCopy : copy(3, delta, 0, rows, out);
        INDArray wm = weights(w, wOff, out, in);
        INDArray xm = buffer(5, rows, in);
        gemm(dm, wm, xm, false, false);
        view(xm).get(0, dx, 0, rows * in);
    }

    @Override
    public void close() {
        for (INDArray array : scratch.values()) {
            array.close();
        }
        scratch.clear();
    }
}
