package io.epochflux.nn.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The softmax's exp: its accuracy, its edges, and the same bits interpreted as compiled. */
class ExpTest {

    /** Arguments over the softmax's range and a little beyond, the same in every JVM. */
    static float[] arguments(int n) {
        SplittableRandom r = new SplittableRandom(13);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-87, 88);
        }
        return x;
    }

    @Test
    void isWithinAnUlpOfTheCorrectlyRoundedResult() {
        for (float x : arguments(200_000)) {
            float exact = (float) Math.exp(x);
            float mine = Exp.exp(x);
            assertTrue(Math.abs(mine - exact) <= Math.ulp(exact), "exp(" + x + ") = " + mine + ", correctly rounded " + exact);
        }
        // the reduction's edges: multiples of ln 2 / 2, where n changes
        for (int k = -250; k <= 250; k++) {
            float x = (float) (k * Math.log(2) / 2);
            float exact = (float) Math.exp(x);
            assertTrue(Math.abs(Exp.exp(x) - exact) <= Math.ulp(exact), "exp(" + x + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {-87.5f, -100f, -1e30f, Float.NEGATIVE_INFINITY})
    void holdsArgumentsBelowTheNormalRangeAtEToTheMinus87(float x) {
        assertEquals(Exp.exp(Exp.LOW), Exp.exp(x));
        assertEquals((float) Math.exp(-87), Exp.exp(x), Math.ulp((float) Math.exp(-87)));
    }

    @Test
    void edges() {
        assertEquals(1f, Exp.exp(0f), "e^0");
        assertEquals(1f, Exp.exp(-0f), "e^-0");
        assertEquals(1f, Exp.exp(-1e-30f), "e^-tiny");
        assertTrue(Float.isNaN(Exp.exp(Float.NaN)), "NaN");
    }

    /** Prints the bits of exp over {@link #arguments}, for the interpreted child below. */
    public static final class Bits {
        public static void main(String[] args) {
            StringBuilder out = new StringBuilder();
            for (float x : arguments(Integer.parseInt(args[0]))) {
                out.append(Integer.toHexString(Float.floatToRawIntBits(Exp.exp(x)))).append('\n');
            }
            System.out.print(out);
        }
    }

    @Test
    void givesTheSameBitsInterpretedAsCompiled() throws IOException, InterruptedException {
        int n = 20_000;
        float[] x = arguments(n);
        float sink = 0;
        for (int round = 0; round < 50; round++) { // a million calls: C2 has compiled it
            for (float v : x) {
                sink += Exp.exp(v);
            }
        }
        assertTrue(sink > 0);
        StringBuilder compiled = new StringBuilder();
        for (float v : x) {
            compiled.append(Integer.toHexString(Float.floatToRawIntBits(Exp.exp(v)))).append('\n');
        }
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xint",
                "-cp", System.getProperty("java.class.path"), Bits.class.getName(), Integer.toString(n))
                .redirectErrorStream(true).start();
        String interpreted = new String(child.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the interpreted child finished");
        assertEquals(0, child.exitValue(), interpreted);
        assertEquals(compiled.toString(), interpreted, "the interpreter's bits are the compiled code's");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 10, 16, 17, 40})
    void softmaxMatchesADoubleReference(int out) {
        SplittableRandom r = new SplittableRandom(out);
        int rows = 6;
        float[] z = new float[3 + rows * out + 1];
        for (int k = 0; k < z.length; k++) {
            z[k] = (float) r.nextDouble(-30, 30);
        }
        z[3 + out - 1] = -1e30f; // a probability that underflows
        float[] a = new float[z.length];
        a[2] = 42f;
        a[a.length - 1] = 43f;
        for (int i = 0; i < rows; i++) {
            int row = 3 + i * out;
            double lse = HeapKernel.softmaxRow(z, a, row, out);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < out; j++) {
                max = Math.max(max, z[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < out; j++) {
                sum += Math.exp(z[row + j] - max);
            }
            assertEquals(max + Math.log(sum), lse, 1e-6 * Math.max(1, Math.abs(lse)), "row " + i + " log-sum-exp");
            double total = 0;
            for (int j = 0; j < out; j++) {
                double p = Math.exp(z[row + j] - max) / sum;
                total += a[row + j];
                // z - max is rounded to float first: up to 2e-6 relative for probabilities near 1e-22;
                // below e^-87 the probability is held at about 1e-38
                assertEquals(p, a[row + j], 1e-5 * p + 2e-38, "row " + i + " p[" + j + "]");
            }
            assertEquals(1, total, 1e-6, "row " + i + " sums to one");
        }
        assertEquals(42f, a[2], "nothing written before the rows");
        assertEquals(43f, a[a.length - 1], "nothing written after the rows");
    }
}
