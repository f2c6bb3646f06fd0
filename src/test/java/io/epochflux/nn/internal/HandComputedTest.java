package io.epochflux.nn.internal;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Optimizer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A 2-2-2 network (relu, softmax, cross-entropy) with fixed weights: its loss and every gradient
 * worked out by hand below, against each kernel.
 */
class HandComputedTest {

    // Keras kernels [in][out]: W1 = [[0.1, -0.2], [0.3, 0.4]], W2 = [[0.5, -0.6], [0.7, 0.8]]
    // stored [out][in] (unit by unit) followed by the biases
    private static final float[] PARAMS = {
            0.1f, 0.3f, -0.2f, 0.4f, 0.05f, -0.05f,
            0.5f, 0.7f, -0.6f, 0.8f, 0.0f, 0.1f};
    private static final Layout LAYOUT = new Layout(2, new int[] {2, 2},
            new Activation[] {Activation.RELU, Activation.SOFTMAX}, Loss.CATEGORICAL_CROSSENTROPY);
    // two examples: x = (1, 2) of class 1, x = (-1, 0.5) of class 0
    private static final Dataset DATA = Dataset.of("hand", 2, 2, 2,
            new float[] {1f, 2f, -1f, 0.5f}, new float[] {0f, 1f, 1f, 0f});

    /** The expected mean loss and gradient, computed step by step. */
    private static double[] expected(double[] gradient) {
        // example 1: z1 = (0.1 + 0.6 + 0.05, -0.2 + 0.8 - 0.05) = (0.75, 0.55), both > 0 so a1 = z1
        // z2 = (0.5 * 0.75 + 0.7 * 0.55, -0.6 * 0.75 + 0.8 * 0.55 + 0.1) = (0.76, 0.09)
        double p1a = Math.exp(0.09) / (Math.exp(0.76) + Math.exp(0.09));
        double lossA = -Math.log(p1a);
        double[] dz2a = {1 - p1a, p1a - 1};                  // softmax - y, y = (0, 1)
        double[] a1a = {0.75, 0.55};
        double[] xa = {1, 2};
        // example 2: z1 = (-0.1 + 0.15 + 0.05, 0.2 + 0.2 - 0.05) = (0.1, 0.35), both > 0
        // z2 = (0.5 * 0.1 + 0.7 * 0.35, -0.6 * 0.1 + 0.8 * 0.35 + 0.1) = (0.295, 0.32)
        double p0b = Math.exp(0.295) / (Math.exp(0.295) + Math.exp(0.32));
        double lossB = -Math.log(p0b);
        double[] dz2b = {p0b - 1, 1 - p0b};                  // y = (1, 0)
        double[] a1b = {0.1, 0.35};
        double[] xb = {-1, 0.5};
        double[][] w2 = {{0.5, 0.7}, {-0.6, 0.8}};           // [unit][input]
        for (double[][] ex : List.of(new double[][] {dz2a, a1a, xa}, new double[][] {dz2b, a1b, xb})) {
            double[] dz2 = ex[0];
            double[] a1 = ex[1];
            double[] x = ex[2];
            // hidden delta: W2^T dz2, relu passes it through (both units on)
            double[] dz1 = {w2[0][0] * dz2[0] + w2[1][0] * dz2[1], w2[0][1] * dz2[0] + w2[1][1] * dz2[1]};
            for (int j = 0; j < 2; j++) {
                for (int k = 0; k < 2; k++) {
                    gradient[j * 2 + k] += dz1[j] * x[k] / 2;       // W1, mean over 2 examples
                    gradient[6 + j * 2 + k] += dz2[j] * a1[k] / 2;  // W2
                }
                gradient[4 + j] += dz1[j] / 2;                      // b1
                gradient[10 + j] += dz2[j] / 2;                     // b2
            }
        }
        return new double[] {(lossA + lossB) / 2, (p1a > 0.5 ? 1 : 0) + (p0b > 0.5 ? 1 : 0)};
    }

    @Test
    void everyKernelComputesTheHandWorkedLossAndGradient() {
        double[] gradient = new double[12];
        double loss = expected(gradient)[0];
        int[] order = {0, 1};
        for (FloatOps ops : new FloatOps[] {ScalarFloatOps.INSTANCE, Kernels.loadBest(true)}) {
            HeapKernel heap = new HeapKernel(LAYOUT, PARAMS.clone(), ops, Optimizer.sgd(), 2);
            float[] g = new float[12];
            assertEquals(loss, heap.lossAndGradient(heap.prepare(DATA), order, 0, 2, g), 1e-6, ops.name());
            for (int p = 0; p < 12; p++) {
                assertEquals(gradient[p], g[p], 1e-6, ops.name() + " gradient " + p);
            }
        }
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            try (Nd4jKernel nd4j = new Nd4jKernel(LAYOUT, PARAMS, type, null, 2)) {
                double[] g = new double[12];
                assertEquals(loss, nd4j.lossAndGradient(nd4j.prepare(DATA), order, 0, 2, g), 1e-6, type.toString());
                for (int p = 0; p < 12; p++) {
                    assertEquals(gradient[p], g[p], 1e-6, type + " gradient " + p);
                }
            }
        }
    }

    @Test
    void oneSgdStepMovesEachParameterByMinusLearningRateTimesGradient() {
        double[] gradient = new double[12];
        double[] figures = expected(gradient);
        float[] params = PARAMS.clone();
        HeapKernel heap = new HeapKernel(LAYOUT, params, ScalarFloatOps.INSTANCE, Optimizer.sgd(0.5), 2);
        Tally tally = new Tally();
        heap.trainBatch(heap.prepare(DATA), new int[] {0, 1}, 0, 2, tally);
        for (int p = 0; p < 12; p++) {
            assertEquals(PARAMS[p] - 0.5 * gradient[p], params[p], 1e-6, "parameter " + p);
        }
        assertEquals(figures[0], tally.meanLoss(), 1e-6, "the tally holds the loss before the step");
        assertEquals(figures[1] / 2, tally.accuracy(), 1e-12);
    }

    @Test
    void evaluationReportsMeanLossAndAccuracy() {
        double[] figures = expected(new double[12]);
        HeapKernel heap = new HeapKernel(LAYOUT, PARAMS.clone(), ScalarFloatOps.INSTANCE, null, 1);
        Tally tally = new Tally();
        heap.evaluate(heap.prepare(DATA), tally);
        assertEquals(figures[0], tally.meanLoss(), 1e-6);
        assertEquals(figures[1] / 2, tally.accuracy(), 1e-12);
        assertEquals(2, tally.examples());
    }
}
