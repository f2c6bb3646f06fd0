package io.epochflux.nn.internal;

import io.epochflux.TestData;
import io.epochflux.data.Dataset;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Optimizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused heap kernel (plain loops and Vector API) and the ND4J kernel, trained from the same
 * weights on the same batches, report the same losses to within 1e-5.
 */
class KernelEquivalenceTest {

    static Stream<Arguments> cases() {
        Layout seed = new Layout(784, new int[] {2, 10},
                new Activation[] {Activation.RELU, Activation.SOFTMAX}, Loss.CATEGORICAL_CROSSENTROPY);
        Layout wide = new Layout(784, new int[] {16, 10},
                new Activation[] {Activation.TANH, Activation.SOFTMAX}, Loss.CATEGORICAL_CROSSENTROPY);
        Layout mse = new Layout(784, new int[] {8, 10},
                new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, Loss.MEAN_SQUARED_ERROR);
        Layout large = new Layout(784, new int[] {256, 10},
                new Activation[] {Activation.RELU, Activation.SOFTMAX}, Loss.CATEGORICAL_CROSSENTROPY);
        Layout deep = new Layout(784, new int[] {256, 128, 10},
                new Activation[] {Activation.RELU, Activation.RELU, Activation.SOFTMAX}, Loss.CATEGORICAL_CROSSENTROPY);
        return Stream.of(
                Arguments.of("784-2-10 sgd", seed, Optimizer.sgd(0.01), 10),
                Arguments.of("784-256-128-10 adam, the large workload's network: BLAS input gradients too", deep,
                        Optimizer.adam(), 128),
                Arguments.of("784-256-10 adam, large products on BLAS", large, Optimizer.adam(), 64),
                Arguments.of("784-16-10 momentum", wide, Optimizer.sgd(0.01, 0.9, false), 10),
                Arguments.of("784-16-10 nesterov", wide, Optimizer.sgd(0.01, 0.9, true), 10),
                Arguments.of("784-16-10 adam", wide, Optimizer.adam(), 10),
                Arguments.of("784-8-10 mse adam", mse, Optimizer.adam(0.01), 10));
    }

    private static float[] glorot(Layout layout, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[layout.parameterCount()];
        for (int l = 0; l < layout.layers(); l++) {
            double limit = Math.sqrt(6.0 / (layout.fanIn(l) + layout.units(l)));
            for (int k = 0; k < layout.units(l) * layout.fanIn(l); k++) {
                p[layout.weightOffset(l) + k] = (float) r.nextDouble(-limit, limit);
            }
        }
        return p;
    }

    private static List<double[]> train(Kernel kernel, Dataset train, Dataset validation, int epochs, int batch) {
        return train(kernel, train, validation, epochs, batch, Double.NaN);
    }

    /** Trains; with a rate that is not NaN, sets it after the first epoch. */
    private static List<double[]> train(Kernel kernel, Dataset train, Dataset validation, int epochs, int batch,
                                        double rateFromEpochTwo) {
        Kernel.Data t = kernel.prepare(train);
        Kernel.Data v = kernel.prepare(validation);
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom shuffle = new SplittableRandom(7);
        List<double[]> figures = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            if (e == 1 && !Double.isNaN(rateFromEpochTwo)) {
                kernel.setLearningRate(rateFromEpochTwo);
            }
            for (int i = order.length - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int x = order[i];
                order[i] = order[j];
                order[j] = x;
            }
            Tally running = new Tally();
            for (int from = 0; from < order.length; from += batch) {
                kernel.trainBatch(t, order, from, Math.min(order.length, from + batch), running);
            }
            Tally val = new Tally();
            kernel.evaluate(v, val);
            figures.add(new double[] {running.meanLoss(), running.accuracy(), val.meanLoss(), val.accuracy()});
        }
        return figures;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void heapAndNd4jKernelsAgree(String name, Layout layout, Optimizer optimizer, int batch) {
        Dataset train = TestData.sample().slice(0, 205); // 205: the last batch is a short one
        Dataset validation = TestData.sample().slice(6000, 6100);
        float[] initial = glorot(layout, 3);
        int epochs = 3;
        List<double[]> reference;
        try (Nd4jKernel nd4j = new Nd4jKernel(layout, initial, DataType.FLOAT, optimizer, batch)) {
            reference = train(nd4j, train, validation, epochs, batch);
        }
        FloatOps vector = Kernels.loadBest(true);
        for (FloatOps ops : new FloatOps[] {ScalarFloatOps.INSTANCE, vector, new BlasFloatOps(vector)}) {
            List<double[]> figures;
            try (HeapKernel heap = new HeapKernel(layout, initial.clone(), ops, optimizer, batch)) {
                figures = train(heap, train, validation, epochs, batch);
            }
            for (int e = 0; e < epochs; e++) {
                double[] r = reference.get(e);
                double[] f = figures.get(e);
                String where = ops.name() + " epoch " + (e + 1);
                assertEquals(r[0], f[0], 1e-5, where + " loss");
                assertEquals(r[2], f[2], 1e-5, where + " val_loss");
                assertEquals(r[1], f[1], 0.5 / train.size() + 1e-12, where + " accuracy (at most one tie apart)");
                assertEquals(r[3], f[3], 1.0 / validation.size() + 1e-12, where + " val_accuracy");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aNewLearningRateKeepsTheOptimizerStateAndBothKernelsStillAgree(String name, Layout layout, Optimizer optimizer,
                                                                         int batch) {
        Dataset train = TestData.sample().slice(0, 205);
        Dataset validation = TestData.sample().slice(6000, 6100);
        float[] initial = glorot(layout, 3);
        int epochs = 3;
        double lower = optimizer.learningRate() / 4;
        List<double[]> reference;
        try (Nd4jKernel nd4j = new Nd4jKernel(layout, initial.clone(), DataType.FLOAT, optimizer, batch)) {
            reference = train(nd4j, train, validation, epochs, batch, lower);
        }
        List<double[]> unchanged;
        List<double[]> sameRate;
        List<double[]> changed;
        FloatOps vector = Kernels.loadBest(true);
        try (HeapKernel a = new HeapKernel(layout, initial.clone(), vector, optimizer, batch);
             HeapKernel b = new HeapKernel(layout, initial.clone(), vector, optimizer, batch);
             HeapKernel c = new HeapKernel(layout, initial.clone(), vector, optimizer, batch)) {
            unchanged = train(a, train, validation, epochs, batch);
            sameRate = train(b, train, validation, epochs, batch, optimizer.learningRate());
            changed = train(c, train, validation, epochs, batch, lower);
        }
        for (int e = 0; e < epochs; e++) {
            String where = name + " epoch " + (e + 1);
            assertEquals(unchanged.get(e)[2], sameRate.get(e)[2], where + ": setting the same rate changes nothing");
            assertEquals(reference.get(e)[0], changed.get(e)[0], 1e-5, where + " loss");
            assertEquals(reference.get(e)[2], changed.get(e)[2], 1e-5, where + " val_loss");
        }
        assertEquals(unchanged.get(0)[2], changed.get(0)[2], "the first epoch trains at the old rate");
        assertTrue(Math.abs(unchanged.get(2)[2] - changed.get(2)[2]) > 1e-6, name + ": the new rate changes the updates");
    }
}
