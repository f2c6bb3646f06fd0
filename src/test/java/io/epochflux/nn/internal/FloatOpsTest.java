package io.epochflux.nn.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

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
}
