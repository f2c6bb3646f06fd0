package io.epochflux.nn.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
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
 * <p>Holds native scratch buffers, so one instance serves one kernel on one thread; {@link #close()}
 * releases them.
 */
final class BlasFloatOps implements FloatOps, AutoCloseable {

    /** Products smaller than this many multiply-adds stay in heap loops. */
    static final long THRESHOLD = 1L << 20;

    private final FloatOps small;
    private final Map<Shape, INDArray> scratch = new HashMap<>();
    /** Weights copied to native memory, by offset in the parameter array, until the next step. */
    private final Map<Integer, INDArray> weights = new HashMap<>();
    private float[] weightsSource;

    BlasFloatOps(FloatOps small) {
        this.small = Objects.requireNonNull(small, "small");
    }

    @Override
    public String name() {
        return small.name() + "+blas";
    }

    private static boolean large(int rows, int out, int in) {
        return (long) rows * out * in >= THRESHOLD;
    }

    private record Shape(int role, int rows, int columns) {
    }

    /** A native float matrix of this shape, one per role, reused. */
    private INDArray buffer(int role, int rows, int columns) {
        Shape key = new Shape(role, rows, columns);
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

    private INDArray gatherRows(int role, float[] x, int[] xOff, int rows, int in) {
        INDArray m = buffer(role, rows, in);
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
        INDArray xm = gatherRows(0, x, xOff, rows, in);
        INDArray wm = weights(w, wOff, out, in);
        INDArray zm = buffer(2, rows, out);
        Nd4j.gemm(xm, wm, zm, false, true, 1.0, 0.0);
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
        INDArray xm = gatherRows(0, x, xOff, rows, in);
        INDArray gm = buffer(4, out, in);
        Nd4j.gemm(dm, xm, gm, true, false, 1.0, 0.0);
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
    }

    @Override
    public void backpropagate(float[] w, int wOff, int out, int in, float[] delta, int rows, float[] dx) {
        if (!large(rows, out, in)) {
            small.backpropagate(w, wOff, out, in, delta, rows, dx);
            return;
        }
        INDArray dm = copy(3, delta, 0, rows, out);
        INDArray wm = weights(w, wOff, out, in);
        INDArray xm = buffer(5, rows, in);
        Nd4j.gemm(dm, wm, xm, false, false, 1.0, 0.0);
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
