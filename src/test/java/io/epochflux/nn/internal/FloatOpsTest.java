package io.epochflux.nn.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both loop implementations against a plain double-precision reference, over awkward shapes. */
class FloatOpsTest {

    static Stream<Arguments> shapes() {
        FloatOps vector = Kernels.loadBest(true);
        assertTrue(vector.name().startsWith("vector"), "the test JVM runs with the Vector API module");
        Stream.Builder<Arguments> b = Stream.builder();
        int[][] shapes = {{1, 1, 1}, {10, 2, 784}, {7, 3, 17}, {5, 10, 2}, {4, 5, 33}, {3, 1, 1000}, {9, 4, 15}};
        for (FloatOps ops : new FloatOps[] {ScalarFloatOps.INSTANCE, vector}) {
            for (int[] s : shapes) {
                b.add(Arguments.of(ops, s[0], s[1], s[2]));
            }
        }
        // products above the threshold go to BLAS, smaller ones stay in the loops it wraps
        b.add(Arguments.of(new BlasFloatOps(vector), 67, 130, 131));
        b.add(Arguments.of(new BlasFloatOps(ScalarFloatOps.INSTANCE), 64, 256, 100));
        b.add(Arguments.of(new BlasFloatOps(vector), 10, 2, 784));
        return b.build();
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    @ParameterizedTest(name = "{0} rows={1} out={2} in={3}")
    @MethodSource("shapes")
    void loopsMatchAPlainReference(FloatOps ops, int rows, int out, int in) {
        SplittableRandom r = new SplittableRandom(rows * 31L + out * 7L + in);
        int wOff = 3;
        float[] w = random(r, wOff + out * in);
        float[] x = random(r, (rows + 2) * in);
        int[] xOff = new int[rows];
        for (int i = 0; i < rows; i++) {
            xOff[i] = ((i * 5) % (rows + 2)) * in; // rows out of order, as a shuffled batch
        }
        float[] delta = random(r, rows * out);
        delta[0] = 0f; // a switched-off unit must still be handled

        float[] z = new float[rows * out];
        ops.forward(w, wOff, out, in, x, xOff, rows, z);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < out; j++) {
                double s = 0;
                for (int k = 0; k < in; k++) {
                    s += (double) w[wOff + j * in + k] * x[xOff[i] + k];
                }
                assertEquals(s, z[i * out + j], 1e-5 * Math.sqrt(in), "z[" + i + "," + j + "]");
            }
        }

        float[] g = random(r, wOff + out * in); // stale content must be overwritten
        float[] before = g.clone();
        ops.accumulateWeightGradient(g, wOff, out, in, delta, x, xOff, rows);
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int i = 0; i < rows; i++) {
                    s += (double) delta[i * out + j] * x[xOff[i] + k];
                }
                assertEquals(s, g[wOff + j * in + k], 1e-5 * Math.sqrt(rows), "g[" + j + "," + k + "]");
            }
        }
        assertEquals(before[0], g[0], "nothing written before the offset");

        float[] dx = random(r, rows * in); // stale content must be overwritten
        ops.backpropagate(w, wOff, out, in, delta, rows, dx);
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int j = 0; j < out; j++) {
                    s += (double) delta[i * out + j] * w[wOff + j * in + k];
                }
                assertEquals(s, dx[i * in + k], 1e-5 * Math.sqrt(out), "dx[" + i + "," + k + "]");
            }
        }
    }

    static Stream<Arguments> elementwise() {
        FloatOps vector = Kernels.loadBest(true);
        Stream.Builder<Arguments> b = Stream.builder();
        for (FloatOps ops : new FloatOps[] {vector, new BlasFloatOps(vector)}) {
            for (int n : new int[] {1, 15, 16, 17, 100, 4099}) {
                b.add(Arguments.of(ops, n));
            }
        }
        return b.build();
    }

    /** The interface's plain loops, which plain loops inherit: they define the bits every implementation gives. */
    private static final FloatOps PLAIN = ScalarFloatOps.INSTANCE;

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("elementwise")
    void elementwiseLoopsGiveThePlainLoopsBits(FloatOps ops, int n) {
        SplittableRandom r = new SplittableRandom(n);
        // relu around zero: negatives, both zeros, a NaN
        float[] z = random(r, n);
        z[0] = -0f;
        if (n > 3) {
            z[1] = 0f;
            z[2] = Float.NaN;
        }
        int out = n % 16 == 0 ? 16 : n;
        int rows = n / out;
        float[] bias = random(r, out + 2);
        float[] z1 = z.clone();
        float[] z2 = z.clone();
        float[] a1 = new float[n];
        float[] a2 = new float[n];
        PLAIN.biasRelu(z1, a1, bias, 2, rows, out);
        ops.biasRelu(z2, a2, bias, 2, rows, out);
        assertArrayEquals(z1, z2, "biased pre-activations");
        assertArrayEquals(a1, a2, "relu");

        float[] g = random(r, n);
        float[] d1 = random(r, n);
        float[] d2 = random(r, n);
        PLAIN.reluBackward(a1, g, d1, n);
        ops.reluBackward(a1, g, d2, n);
        assertArrayEquals(d1, d2, "relu backward");

        float[] p1 = random(r, n);
        float[] p2 = p1.clone();
        float[] m1 = new float[n];
        float[] m2 = new float[n];
        float[] v1 = new float[n];
        float[] v2 = new float[n];
        for (int step = 1; step <= 3; step++) {
            float[] grad = random(r, n);
            grad[0] = 0f;
            float alpha = (float) (0.001 * Math.sqrt(1 - Math.pow(0.999, step)) / (1 - Math.pow(0.9, step)));
            PLAIN.adam(p1, grad, m1, v1, alpha, 0.1f, 0.001f, 1e-7f);
            ops.adam(p2, grad, m2, v2, alpha, 0.1f, 0.001f, 1e-7f);
        }
        assertArrayEquals(m1, m2, "first moments");
        assertArrayEquals(v1, v2, "second moments");
        assertArrayEquals(p1, p2, "parameters after three Adam steps");
    }

    @ParameterizedTest(name = "in={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 7, 15})
    void inputsNarrowerThanAVectorGiveTheFusedScalarSumsBits(int in) {
        FloatOps vector = Kernels.loadBest(true);
        SplittableRandom r = new SplittableRandom(in);
        int rows = 11;
        int out = 10;
        float[] w = random(r, 1 + out * in);
        float[] x = random(r, rows * in);
        int[] xOff = new int[rows];
        for (int i = 0; i < rows; i++) {
            xOff[i] = ((i * 3) % rows) * in;
        }
        float[] z = new float[rows * out];
        vector.forward(w, 1, out, in, x, xOff, rows, z);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < out; j++) {
                float t = 0f;
                for (int k = 0; k < in; k++) {
                    t = Math.fma(x[xOff[i] + k], w[1 + j * in + k], t);
                }
                assertEquals(t, z[i * out + j], "z[" + i + "," + j + "] exactly");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void blasWeightGradientGathersAgainWhenTheInputChanged() {
        FloatOps ops = new BlasFloatOps(ScalarFloatOps.INSTANCE);
        int rows = 64;
        int out = 128;
        int in = 256;
        SplittableRandom r = new SplittableRandom(5);
        float[] w = random(r, out * in);
        float[] x1 = random(r, rows * in);
        float[] x2 = random(r, rows * in);
        int[] xOff = new int[rows];
        for (int i = 0; i < rows; i++) {
            xOff[i] = i * in;
        }
        float[] delta = random(r, rows * out);
        ops.forward(w, 0, out, in, x1, xOff, rows, new float[rows * out]);
        float[] expected = new float[out * in];
        float[] actual = new float[out * in];
        ScalarFloatOps.INSTANCE.accumulateWeightGradient(expected, 0, out, in, delta, x2, xOff, rows);
        ops.accumulateWeightGradient(actual, 0, out, in, delta, x2, xOff, rows);
        assertArrayEquals(expected, actual, 1e-4f, "the rows of the second input, not those the forward pass gathered");
        xOff[3] = 7 * in; // same arrays, other rows
        ops.forward(w, 0, out, in, x1, xOff, rows, new float[rows * out]);
        xOff[3] = 3 * in;
        ScalarFloatOps.INSTANCE.accumulateWeightGradient(expected, 0, out, in, delta, x1, xOff, rows);
        ops.accumulateWeightGradient(actual, 0, out, in, delta, x1, xOff, rows);
        assertArrayEquals(expected, actual, 1e-4f, "the rows asked for, not those the forward pass gathered");
    }
}
