package io.epochflux.dl4j;

import io.epochflux.TestData;
import io.epochflux.data.Dataset;
import io.epochflux.data.Split;
import io.epochflux.internal.Shuffle;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A conv net trained through epochflux ends with the parameters, bit for bit, of DL4J's own loop
 * fed the same minibatches in the same order, and each epoch's loss is that loop's running mean.
 */
class Dl4jEquivalenceTest {

    private static final Split SPLIT = Mnist500.split();
    private static final int EPOCHS = 3;
    private static final int BATCH = 32;
    private static final long SEED = 7;

    @Test
    void aConvNetTrainsBitForBitAsDl4jsOwnLoop() {
        MultiLayerNetwork ours = Dl4jNets.conv(42);
        MultiLayerNetwork theirs = Dl4jNets.conv(42);
        assertArrayEquals(theirs.params().toFloatVector(), ours.params().toFloatVector(), "same initial parameters");

        List<EpochMetrics> epochs = trainer().fit(Dl4jModel.of(ours), SPLIT.train(), SPLIT.validation())
                .collectList().block();
        double[] losses = ownLoop(theirs::fit, theirs::score, theirs::incrementEpochCount);

        assertEquals(EPOCHS, epochs.size());
        assertArrayEquals(theirs.params().toFloatVector(), ours.params().toFloatVector(), "parameters after 3 epochs");
        assertArrayEquals(theirs.getUpdater().getStateViewArray().toFloatVector(),
                ours.getUpdater().getStateViewArray().toFloatVector(), "Adam's moments");
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(losses[e], epochs.get(e).value("loss").orElseThrow(), 0.0, "loss of epoch " + (e + 1));
        }
        assertEquals(EPOCHS, ours.getEpochCount(), "one incrementEpochCount a epoch, as DL4J's loop");
        assertEquals(theirs.getIterationCount(), ours.getIterationCount());
        assertTrue(epochs.get(EPOCHS - 1).value("val_accuracy").orElseThrow() > 0.25, epochs.get(EPOCHS - 1).toString());
        assertTrue(ours.getListeners() == null || ours.getListeners().isEmpty(), "the adapter's listener is gone after the run");
    }

    @Test
    void aComputationGraphTrainsBitForBitAsDl4jsOwnLoop() {
        ComputationGraph ours = Dl4jNets.convGraph(43);
        ComputationGraph theirs = Dl4jNets.convGraph(43);
        List<EpochMetrics> epochs = trainer().fit(Dl4jModel.of(ours), SPLIT.train(), SPLIT.validation())
                .collectList().block();
        double[] losses = ownLoop(theirs::fit, theirs::score, theirs::incrementEpochCount);
        assertArrayEquals(theirs.params().toFloatVector(), ours.params().toFloatVector(), "parameters after 3 epochs");
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(losses[e], epochs.get(e).value("loss").orElseThrow(), 0.0, "loss of epoch " + (e + 1));
        }
    }

    @Test
    void theEpochsAccuracyIsThatOfTheBatchesBeforeTheirUpdates() {
        // one batch an epoch, no shuffle: the epoch's accuracy is the whole set's before the step
        MultiLayerNetwork net = Dl4jNets.conv(44);
        Dataset small = SPLIT.train().slice(0, BATCH);
        INDArray before = net.output(small.features(), false);
        double expected = accuracy(before, small.labels());
        double lossBefore = net.score(new DataSet(small.features(), small.labels()), false);
        EpochMetrics first = Trainer.builder().epochs(1).batchSize(BATCH).shuffle(false).build()
                .fit(Dl4jModel.of(net), small).blockFirst();
        assertEquals(expected, first.value("accuracy").orElseThrow(), 0.0);
        assertEquals(lossBefore, first.value("loss").orElseThrow(), 1e-6,
                "the training loss of a batch is its score before the update");
    }

    private static Trainer trainer() {
        return Trainer.builder().epochs(EPOCHS).batchSize(BATCH).shuffle(true).seed(SEED).build();
    }

    /** DL4J's own loop over the minibatches epochflux's shuffle chooses; returns each epoch's running mean of score. */
    private static double[] ownLoop(Consumer<DataSet> fit, java.util.function.DoubleSupplier score, Runnable endEpoch) {
        Dataset train = SPLIT.train();
        int[] order = new int[train.size()];
        Arrays.setAll(order, i -> i);
        SplittableRandom random = new SplittableRandom(SEED);
        float[] x = train.featureArray();
        float[] y = train.labelArray();
        int f = train.featureCount();
        int c = train.labelCount();
        double[] losses = new double[EPOCHS];
        for (int e = 0; e < EPOCHS; e++) {
            Shuffle.inPlace(order, random);
            double sum = 0;
            for (int from = 0; from < order.length; from += BATCH) {
                int rows = Math.min(BATCH, order.length - from);
                float[] bx = new float[rows * f];
                float[] by = new float[rows * c];
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(x, order[from + i] * f, bx, i * f, f);
                    System.arraycopy(y, order[from + i] * c, by, i * c, c);
                }
                fit.accept(new DataSet(Nd4j.create(bx, new long[] {rows, f}, 'c'), Nd4j.create(by, new long[] {rows, c}, 'c')));
                sum += score.getAsDouble() * rows;
            }
            losses[e] = sum / order.length;
            endEpoch.run();
        }
        return losses;
    }

    private static double accuracy(INDArray predicted, INDArray labels) {
        INDArray p = Nd4j.argMax(predicted, 1);
        INDArray t = Nd4j.argMax(labels, 1);
        return p.eq(t).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().doubleValue() / labels.rows();
    }


    /** 500 training and 200 validation digits of the bundled sample. */
    static final class Mnist500 {
        static Split split() {
            return io.epochflux.data.Mnist.sampleSplit(TestData.sample(), 500, 200, 3);
        }
    }

}
