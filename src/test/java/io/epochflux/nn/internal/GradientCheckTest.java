package io.epochflux.nn.internal;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every activation and loss: the analytic gradient of the ND4J kernel, run in double precision,
 * against central finite differences of its own loss.
 */
class GradientCheckTest {

    private static final double H = 1e-6;
    private static final double MAX_RELATIVE_ERROR = 1e-6;
    /**
     * The finite difference itself cannot resolve less than about {@code eps * |loss| / H}, 2e-10
     * here: below an absolute error of 1e-9 a gradient passes however small it is (as DL4J's
     * gradient checks do with their minimum absolute error).
     */
    private static final double MIN_ABSOLUTE_ERROR = 1e-9;

    static Stream<Arguments> networks() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Activation hidden : Activation.values()) {
            b.add(Arguments.of(hidden, Activation.SOFTMAX, Loss.CATEGORICAL_CROSSENTROPY));
        }
        b.add(Arguments.of(Activation.TANH, Activation.SIGMOID, Loss.CATEGORICAL_CROSSENTROPY));
        for (Activation output : Activation.values()) {
            b.add(Arguments.of(Activation.SIGMOID, output, Loss.MEAN_SQUARED_ERROR));
        }
        return b.build();
    }

    @ParameterizedTest(name = "hidden {0}, output {1}, loss {2}")
    @MethodSource("networks")
    void analyticGradientMatchesFiniteDifferences(Activation hidden, Activation output, Loss loss) {
        Layout layout = new Layout(4, new int[] {5, 3}, new Activation[] {hidden, output}, loss);
        SplittableRandom random = new SplittableRandom(42);
        float[] params = new float[layout.parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) random.nextDouble(-1, 1);
        }
        int n = 6;
        float[] x = new float[n * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-2, 2);
        }
        float[] y = new float[n * 3];
        for (int i = 0; i < n; i++) {
            if (loss == Loss.CATEGORICAL_CROSSENTROPY) {
                y[i * 3 + random.nextInt(3)] = 1f;
            } else {
                for (int j = 0; j < 3; j++) {
                    y[i * 3 + j] = (float) random.nextDouble();
                }
            }
        }
        Dataset data = Dataset.of("check", n, 4, 3, x, y);
        int[] order = {0, 1, 2, 3, 4, 5};
        try (Nd4jKernel kernel = new Nd4jKernel(layout, params, DataType.DOUBLE, null, n)) {
            Kernel.Data d = kernel.prepare(data);
            double[] analytic = new double[params.length];
            kernel.lossAndGradient(d, order, 0, n, analytic);
            int checked = 0;
            for (int p = 0; p < params.length; p++) {
                double original = kernel.parameter(p);
                kernel.parameter(p, original + H);
                double plus = kernel.loss(d, order, 0, n);
                kernel.parameter(p, original - H);
                double minus = kernel.loss(d, order, 0, n);
                kernel.parameter(p, original);
                double numeric = (plus - minus) / (2 * H);
                double scale = Math.max(Math.abs(numeric), Math.abs(analytic[p]));
                if (scale < 1e-8) {
                    continue; // both zero: a relu unit that is off for every example
                }
                double absolute = Math.abs(numeric - analytic[p]);
                double error = absolute / scale;
                assertTrue(error < MAX_RELATIVE_ERROR || absolute < MIN_ABSOLUTE_ERROR, "parameter " + p + ": analytic " + analytic[p] + ", numeric "
                        + numeric + ", relative error " + error);
                checked++;
            }
            assertTrue(checked > params.length / 2, "checked only " + checked + " of " + params.length);
        }
    }
}
