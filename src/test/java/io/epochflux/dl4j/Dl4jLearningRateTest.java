package io.epochflux.dl4j;

import io.epochflux.data.Split;
import io.epochflux.schedule.ReduceLROnPlateau;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.Trainer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A learning-rate operator steers the rate a DL4J network's updater trains with; a network whose
 * rate is not one number it can set (layers with rates of their own, a DL4J schedule, a bias
 * updater of its own) fails the run when an operator is in the chain, and trains as configured
 * without one.
 */
class Dl4jLearningRateTest {

    private static final Split SPLIT = Dl4jNets.small();
    private static final Duration WAIT = Duration.ofMinutes(1);
    private static final int EPOCHS = 4;
    private static final int BATCH = 30;
    private static final long SEED = 6;

    private static Trainer trainer() {
        return Trainer.builder().epochs(EPOCHS).batchSize(BATCH).seed(SEED).build();
    }

    /** Halves the rate after epoch 2 and never again: nothing improves by 10, and the cooldown outlasts the run. */
    private static ReduceLROnPlateau halveAfterEpochTwo() {
        return ReduceLROnPlateau.builder().monitor("val_loss").minDelta(10).patience(1).factor(0.5).cooldown(100).build();
    }

    @Test
    void aPlateauSetsTheRateTheNetworksUpdaterTrainsWith() {
        MultiLayerNetwork net = Dl4jNets.dense(31, new Adam(1e-3), 16);
        List<EpochMetrics> epochs = trainer().fit(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation())
                .transform(halveAfterEpochTwo())
                .collectList().block(WAIT);

        double rate = (float) 1e-3;
        double halved = (float) (rate * 0.5);
        assertEquals(List.of(rate, rate, halved, halved),
                epochs.stream().map(e -> e.value("learning_rate").orElseThrow()).toList(), "the epochs carry the rate");
        assertEquals(halved, net.getLearningRate(0), "the dense layer's updater");
        assertEquals(halved, net.getLearningRate(1), "the output layer's updater");

        // DL4J's own loop over the same minibatches, its rate set by hand before epoch 3: the same bits
        MultiLayerNetwork own = Dl4jNets.dense(31, new Adam(1e-3), 16);
        Dl4jNets.ownLoop(own, SPLIT.train(), EPOCHS, BATCH, SEED, e -> {
            if (e == 2) {
                own.setLearningRate(halved);
            }
        });
        assertArrayEquals(own.params().toFloatVector(), net.params().toFloatVector(), "parameters after the reduction");
        assertArrayEquals(own.getUpdater().getStateViewArray().toFloatVector(),
                net.getUpdater().getStateViewArray().toFloatVector(), "Adam's moments carried across the change");
    }

    private static MultiLayerNetwork withLayerRates(IUpdater hidden, IUpdater output) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(32)
                .updater(new Adam(1e-3))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(16).activation(Activation.RELU).updater(hidden).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(10)
                        .activation(Activation.SOFTMAX).updater(output).build())
                .build();
        return Dl4jNets.init(conf);
    }

    /** Subscribed with a rate operator, the run fails before any batch; the model is left untouched and released. */
    private static String refusedWithAnOperator(MultiLayerNetwork net) {
        float[] before = net.params().toFloatVector();
        String[] message = new String[1];
        StepVerifier.create(trainer().fit(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation()).transform(halveAfterEpochTwo()))
                .expectErrorSatisfies(e -> {
                    assertInstanceOf(IllegalStateException.class, e);
                    message[0] = e.getMessage();
                })
                .verify(WAIT);
        assertTrue(message[0].startsWith("the network's learning rate cannot be steered by an epochflux rate operator: "),
                message[0]);
        assertArrayEquals(before, net.params().toFloatVector(), "no batch trained");
        assertEquals(0, net.getIterationCount());
        return message[0];
    }

    /** Without an operator the same network trains every epoch (so the failed run released it) with no rate in its epochs. */
    private static void trainsWithoutAnOperator(MultiLayerNetwork net, int batch) {
        List<EpochMetrics> epochs = Trainer.builder().epochs(EPOCHS).batchSize(batch).seed(SEED).build()
                .fit(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation())
                .collectList().block(WAIT);
        assertEquals(EPOCHS, epochs.size());
        assertTrue(epochs.stream().allMatch(e -> e.value("learning_rate").isEmpty()), "no rate operator, no learning_rate");
        assertTrue(epochs.get(EPOCHS - 1).value("val_loss").orElseThrow() < epochs.get(0).value("val_loss").orElseThrow(),
                "it trained: " + epochs);
    }

    @Test
    void layersWithDifferentRatesFailARunWithARateOperatorAndTrainWithoutOne() {
        MultiLayerNetwork net = withLayerRates(new Adam(1e-2), new Adam(1e-3));
        String message = refusedWithAnOperator(net);
        assertTrue(message.contains("its layers train at different rates"), message);
        assertTrue(message.contains("0.01") && message.contains("0.001"), "the rates are named: " + message);

        trainsWithoutAnOperator(net, BATCH);
        assertEquals(1e-2, net.getLearningRate(0), "each layer kept its own rate");
        assertEquals(1e-3, net.getLearningRate(1));
    }

    @Test
    void anUpdaterWithADl4jScheduleFailsARunWithARateOperatorAndFollowsItsScheduleWithoutOne() {
        Adam scheduled = new Adam(new MapSchedule(ScheduleType.ITERATION, Map.of(0, 1e-3, 100, 1e-4)));
        MultiLayerNetwork net = Dl4jNets.dense(33, scheduled, 16);
        String message = refusedWithAnOperator(net);
        assertTrue(message.contains("has a DL4J rate schedule") && message.contains("MapSchedule"), message);

        // batches of 10: 30 iterations an epoch, so the schedule's step at iteration 100 falls in epoch 4
        trainsWithoutAnOperator(net, 10);
        assertEquals(EPOCHS * 30, net.getIterationCount());
        assertEquals(1e-4, net.getLearningRate(0), "the schedule stepped down, as DL4J's own loop would have it");
    }

    @Test
    void aBiasUpdaterOfItsOwnFailsARunWithARateOperator() {
        // DL4J's setLearningRate changes a layer's updater but not its bias updater: the biases would keep their rate
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(34)
                .updater(new Adam(1e-3))
                .biasUpdater(new Sgd(1e-3))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork probe = Dl4jNets.init(conf.clone());
        probe.setLearningRate(0.5);
        assertEquals(0.5, probe.getLearningRate(0));
        assertEquals(1e-3, ((BaseLayer) probe.getLayer(0).conf().getLayer()).getBiasUpdater().getLearningRate(0, 0),
                "DL4J's setLearningRate leaves the bias updater's rate alone");

        MultiLayerNetwork net = Dl4jNets.init(conf);
        String message = refusedWithAnOperator(net);
        assertTrue(message.contains("has a bias updater of its own"), message);
        trainsWithoutAnOperator(net, BATCH);
    }
}
