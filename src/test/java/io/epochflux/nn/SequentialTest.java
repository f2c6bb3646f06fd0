package io.epochflux.nn;

import io.epochflux.TestData;
import io.epochflux.data.Dataset;
import io.epochflux.data.Split;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequentialTest {

    static Sequential seedModel(long seed) {
        return Sequential.builder(784)
                .dense(2, Activation.RELU)
                .dense(10, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSSENTROPY)
                .seed(seed)
                .build();
    }

    @Test
    void initialisesGlorotUniformWeightsAndZeroBiases() {
        Parameters p = seedModel(10).snapshot();
        assertEquals(1600, p.count());
        double limit = Math.sqrt(6.0 / (784 + 2));
        INDArray w = p.weights(0);
        assertArrayEquals(new long[] {784, 2}, w.shape(), "Keras kernel layout [inputs, units]");
        assertTrue(w.maxNumber().doubleValue() <= limit && w.minNumber().doubleValue() >= -limit);
        assertTrue(w.maxNumber().doubleValue() > 0.9 * limit, "uses the whole range");
        assertEquals(0.0, p.biases(0).norm1Number().doubleValue());
        assertEquals(0.0, p.biases(1).norm1Number().doubleValue());
        assertEquals(p, seedModel(10).snapshot(), "same seed, same weights");
        assertNotEquals(p, seedModel(11).snapshot());
    }

    @Test
    void rejectsBadConfigurationNamingValueAndRule() {
        assertEquals("units must be >= 1, but was 0",
                assertThrows(IllegalArgumentException.class, () -> new Dense(0, Activation.RELU)).getMessage());
        assertEquals("inputs must be >= 1, but was 0",
                assertThrows(IllegalArgumentException.class, () -> Sequential.builder(0)).getMessage());
        assertEquals("activation must be one of relu, softmax, sigmoid, tanh, linear, but was 'swish'",
                assertThrows(IllegalArgumentException.class, () -> Activation.fromName("swish")).getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> Sequential.builder(3).build()).getMessage()
                .contains("at least one layer"));
        assertEquals("learningRate must be > 0 and finite, but was -0.1",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.sgd(-0.1)).getMessage());
        assertEquals("momentum must be >= 0 and < 1, but was 1.0",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.sgd(0.1, 1.0, false)).getMessage());
        assertEquals("loss must be one of categorical_crossentropy, mse, but was 'hinge'",
                assertThrows(IllegalArgumentException.class, () -> Loss.fromName("hinge")).getMessage());
        Sequential m = seedModel(1);
        Dataset narrow = Dataset.of("narrow", 2, 3, 10, new float[6], new float[20]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.startTraining(narrow, Optimizer.sgd(), 10));
        assertTrue(e.getMessage().contains("as many features as the network has inputs (784), but narrow has 3"),
                e.getMessage());
        assertEquals("batchSize must be >= 1, but was 0", assertThrows(IllegalArgumentException.class,
                () -> m.startTraining(TestData.sample().slice(0, 10), Optimizer.sgd(), 0)).getMessage());
    }

    @Test
    void snapshotAndRestoreRoundTrip() {
        Sequential m = seedModel(1);
        Parameters before = m.snapshot();
        Split split = TestData.seedSplit();
        try (TrainingSession s = m.startTraining(split.train(), Optimizer.sgd(0.1), 10)) {
            s.trainBatch(order(700), 0, 10);
        }
        assertNotEquals(before, m.snapshot(), "training changed the weights");
        m.restore(before);
        assertEquals(before, m.snapshot());
        Parameters other = Sequential.builder(784).dense(3, Activation.RELU).dense(10, Activation.SOFTMAX).build().snapshot();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.restore(other));
        assertTrue(e.getMessage().contains("784-2(relu)-10(softmax)"), e.getMessage());
    }

    @Test
    void predictGivesProbabilityRows() {
        INDArray x = TestData.sample().slice(0, 5).features();
        INDArray p = seedModel(1).predict(x);
        assertArrayEquals(new long[] {5, 10}, p.shape());
        for (int i = 0; i < 5; i++) {
            assertEquals(1.0, p.getRow(i).sumNumber().doubleValue(), 1e-5);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> seedModel(1).predict(Nd4j.zeros(2, 5)));
        assertTrue(e.getMessage().contains("[rows, 784]"), e.getMessage());
    }

    @Test
    void evaluateMatchesPredictions() {
        Sequential m = seedModel(3);
        Dataset data = TestData.sample().slice(100, 400);
        Evaluation e = m.evaluate(data, 32);
        INDArray p = m.predict(data.features());
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            int cls = data.classOf(i);
            loss -= Math.log(p.getDouble(i, cls));
            int best = p.getRow(i).argMax().getInt(0);
            correct += best == cls ? 1 : 0;
        }
        assertEquals(loss / data.size(), e.loss(), 1e-5);
        assertEquals((double) correct / data.size(), e.accuracy(), 1e-12);
        assertEquals(e, m.evaluate(data, 7), "the batch size does not change the figures");
    }

    @Test
    void oneTrainingSessionAtATime() {
        Sequential m = seedModel(1);
        Dataset d = TestData.sample().slice(0, 20);
        try (TrainingSession ignored = m.startTraining(d, Optimizer.sgd(), 10)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.startTraining(d, Optimizer.sgd(), 10));
            assertTrue(e.getMessage().contains("already being trained"), e.getMessage());
        }
        m.startTraining(d, Optimizer.sgd(), 10).close();
    }

    @Test
    void aStoppedSessionTrainsNoMoreBatches() {
        Sequential m = seedModel(1);
        try (TrainingSession s = m.startTraining(TestData.sample().slice(0, 20), Optimizer.sgd(), 10)) {
            assertTrue(s.trainBatch(order(20), 0, 10));
            Parameters after = m.snapshot();
            s.stop();
            assertTrue(s.isStopped());
            assertEquals(false, s.trainBatch(order(20), 10, 20));
            assertEquals(after, m.snapshot());
        }
    }

    private static int[] order(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        return o;
    }

    private static List<Double> trainSeedNetwork(int epochs) {
        Split split = TestData.seedSplit();
        Sequential m = seedModel(10);
        List<Double> figures = new ArrayList<>();
        try (TrainingSession s = m.startTraining(split.train(), Optimizer.sgd(0.01), 10)) {
            int[] order = order(700);
            SplittableRandom r = new SplittableRandom(10);
            for (int e = 0; e < epochs; e++) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                s.resetRunning();
                for (int from = 0; from < 700; from += 10) {
                    s.trainBatch(order, from, from + 10);
                }
                Evaluation v = s.evaluate(split.validation());
                figures.add(s.runningLoss());
                figures.add(v.accuracy());
            }
        }
        for (float f : m.snapshot().toArray()) {
            figures.add((double) f);
        }
        return figures;
    }

    @Test
    void theSeedNetworkLearnsInTwentyEpochsAndIsDeterministic() {
        List<Double> a = trainSeedNetwork(20);
        double firstLoss = a.get(0);
        double lastLoss = a.get(2 * 19);
        double lastValAccuracy = a.get(2 * 19 + 1);
        assertTrue(lastLoss < firstLoss, "loss went from " + firstLoss + " to " + lastLoss);
        assertTrue(lastValAccuracy > 0.25, "val_accuracy " + lastValAccuracy);
        assertEquals(a, trainSeedNetwork(20), "same seed: bit-identical losses and weights");
    }
}
