package io.epochflux.dl4j;

import io.epochflux.data.Dataset;
import io.epochflux.data.Split;
import io.epochflux.nn.Optimizer;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingPool;
import io.epochflux.train.TrainingRun;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.scheduler.Scheduler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adapter itself: files, the shared lease, what it refuses and how it says so, an unfinished epoch undone. */
class Dl4jModelTest {

    private static final Split SPLIT = Dl4jNets.small();
    private static final Duration WAIT = Duration.ofMinutes(1);

    private static Trainer trainer(int epochs) {
        return Trainer.builder().epochs(epochs).batchSize(30).seed(3).build();
    }

    @Test
    void aMultiLayerNetworkAndAGraphSavedAndLoadedKeepTheirParametersAndUpdaterState(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = Dl4jNets.dense(91, new Adam(1e-3), 16);
        Dl4jModel model = Dl4jModel.of(net);
        trainer(1).fit(model, SPLIT.train()).blockLast(WAIT); // Adam's moments are no longer zero
        Path file = dir.resolve("net.zip");
        model.save(file);
        Dl4jModel loaded = Dl4jModel.load(file);
        MultiLayerNetwork back = assertInstanceOf(MultiLayerNetwork.class, loaded.network());
        assertArrayEquals(net.params().toFloatVector(), back.params().toFloatVector());
        assertArrayEquals(net.getUpdater().getStateViewArray().toFloatVector(), back.getUpdater().getStateViewArray().toFloatVector());
        assertEquals(model.describe(), loaded.describe());

        ComputationGraph graph = Dl4jNets.denseGraph(92, new Adam(1e-3), 16);
        Dl4jModel graphModel = Dl4jModel.of(graph);
        trainer(1).fit(graphModel, SPLIT.train()).blockLast(WAIT);
        Path graphFile = dir.resolve("graph.zip");
        graphModel.save(graphFile);
        Dl4jModel graphLoaded = Dl4jModel.load(graphFile);
        ComputationGraph graphBack = assertInstanceOf(ComputationGraph.class, graphLoaded.network());
        assertArrayEquals(graph.params().toFloatVector(), graphBack.params().toFloatVector());
        assertArrayEquals(graph.getUpdater().getStateViewArray().toFloatVector(),
                graphBack.getUpdater().getStateViewArray().toFloatVector());
        assertEquals("ComputationGraph[DenseLayer(16)-OutputLayer(10)]", graphLoaded.describe());

        Path text = Files.writeString(dir.resolve("not-a-model.zip"), "hello");
        IOException e = assertThrows(IOException.class, () -> Dl4jModel.load(text));
        assertTrue(e.getMessage().contains("must be a DL4J model file"), e.getMessage());
    }

    @Test
    void twoModelsOfOneNetworkShareALeaseSoASecondRunQueuesUntilTheFirstEnds() throws Exception {
        MultiLayerNetwork net = Dl4jNets.dense(93, new Adam(1e-3), 16);
        Scheduler pool = TrainingPool.create("dl4j-lease-test", 1); // one thread, first in first out
        try {
            Trainer trainer = Trainer.builder().epochs(2).batchSize(30).seed(3).scheduler(pool).build();
            TrainingRun first = trainer.run(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation());
            CountDownLatch firstEpoch = new CountDownLatch(1);
            first.epochs().subscribe(new BaseSubscriber<EpochMetrics>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    s.request(1); // one epoch, then the run waits between epochs, holding the network
                }

                @Override
                protected void hookOnNext(EpochMetrics epoch) {
                    firstEpoch.countDown();
                }
            });
            assertTrue(firstEpoch.await(1, TimeUnit.MINUTES));

            List<String> events = new CopyOnWriteArrayList<>();
            first.outcome().subscribe(o -> events.add("first " + o.kind()));
            TrainingRun second = trainer.run(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation());
            second.epochs().subscribe(e -> events.add("second epoch " + e.epoch()));
            // the pool runs its tasks in order: once this one ran, the second run has tried to take the network
            CountDownLatch tried = new CountDownLatch(1);
            pool.schedule(tried::countDown);
            assertTrue(tried.await(1, TimeUnit.MINUTES));
            assertEquals(TrainingRun.Status.QUEUED, second.status(), "the second run waits for the network");
            assertEquals(TrainingRun.Status.WAITING, first.status());
            assertEquals(List.of(), events);

            first.cancel();
            RunOutcome outcome = second.outcome().block(WAIT);
            assertEquals(RunOutcome.Kind.COMPLETED, outcome.kind());
            assertEquals(List.of("first CANCELLED", "second epoch 1", "second epoch 2"), events);
            assertEquals(3, net.getEpochCount(), "one epoch of the first run, two of the second, on the one network");
        } finally {
            pool.dispose();
        }
    }

    @Test
    void aTrainerWithAnOptimizerOfItsOwnIsRefusedNamingTheUpdater() {
        Trainer withAdam = Trainer.builder().epochs(1).optimizer(Optimizer.adam()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> withAdam.fit(Dl4jModel.of(Dl4jNets.dense(94, new Adam(1e-3), 16)), SPLIT.train()));
        assertEquals("optimizer must not be set for a dl4j model, but was adam: the network's own updater is its optimizer"
                + " (build the trainer without optimizer(...))", e.getMessage());
    }

    @Test
    void dataOfTheWrongWidthIsRefusedNamingBothWidths() {
        Dl4jModel model = Dl4jModel.of(Dl4jNets.dense(95, new Adam(1e-3), 16));
        Trainer trainer = trainer(1);
        Dataset narrow = Dataset.of("narrow", 2, 3, 10, new float[6], new float[20]);
        assertEquals("train must have 784 features (the network's inputs), but narrow has 3",
                assertThrows(IllegalArgumentException.class, () -> trainer.fit(model, narrow)).getMessage());
        Dataset threeClasses = Dataset.of("three-classes", 2, 784, 3, new float[2 * 784], new float[6]);
        assertEquals("validation must have 10 targets (the network's outputs), but three-classes has 3",
                assertThrows(IllegalArgumentException.class, () -> trainer.fit(model, SPLIT.train(), threeClasses)).getMessage());
    }

    @Test
    void aNetworkWhoseFirstLayerTakesImagesWithoutAnInputTypeAsksForTheirShape() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(96)
                .updater(new Adam(1e-3))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder(5, 5).nIn(1).nOut(2).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(24 * 24 * 2).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .inputPreProcessor(1, new CnnToFeedForwardPreProcessor(24, 24, 2))
                .build();
        MultiLayerNetwork net = Dl4jNets.init(conf);
        Dataset digits = SPLIT.train().slice(0, 60);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(1).fit(Dl4jModel.of(net), digits));
        assertTrue(e.getMessage().contains("the network's first layer takes images")
                && e.getMessage().contains("withInputShape(channels, height, width)"), e.getMessage());

        assertEquals("train must have 756 features (the network's inputs), but " + digits.name() + " has 784",
                assertThrows(IllegalArgumentException.class,
                        () -> trainer(1).fit(Dl4jModel.of(net).withInputShape(1, 28, 27), digits)).getMessage());
        EpochMetrics epoch = trainer(1).fit(Dl4jModel.of(net).withInputShape(1, 28, 28), digits).blockLast(WAIT);
        assertTrue(Double.isFinite(epoch.value("loss").orElseThrow()), "with its shape it trains: " + epoch);
    }

    @Test
    void aCancelInTheMiddleOfAnEpochLeavesTheNetworkAsAtTheEndOfTheEpochBefore() {
        AtomicReference<TrainingRun> run = new AtomicReference<>();
        MultiLayerNetwork cancelled = Dl4jNets.dense(97, new Adam(1e-3), 16);
        Trainer.Builder trainer = Trainer.builder().epochs(10).batchSize(30).seed(3);
        // after batch 5 of epoch 3 the training thread waits for a cancel from another thread, so the sixth batch
        // never starts (not TrainingRun.cancel() in the listener itself: on the run's own thread, Run.cancelled
        // finishes the run at once, mid-epoch, and the rollback then finds the session closed)
        run.set(trainer.batchListener((epoch, batch, batches, loss, metric) -> {
            if (epoch == 3 && batch == 5) {
                CompletableFuture.runAsync(run.get()::cancel).join();
            }
        }).build().run(Dl4jModel.of(cancelled), SPLIT.train(), SPLIT.validation()));
        run.get().epochs().blockLast(WAIT);
        RunOutcome outcome = run.get().outcome().block(WAIT);
        assertEquals(RunOutcome.Kind.CANCELLED, outcome.kind());
        assertEquals(2, outcome.weightsEpoch());

        // the same run stopped cleanly after epoch 2
        MultiLayerNetwork stopped = Dl4jNets.dense(97, new Adam(1e-3), 16);
        trainer.batchListener(null).build().fit(Dl4jModel.of(stopped), SPLIT.train(), SPLIT.validation()).take(2).blockLast(WAIT);

        assertArrayEquals(stopped.params().toFloatVector(), cancelled.params().toFloatVector(), "parameters");
        assertArrayEquals(stopped.getUpdater().getStateViewArray().toFloatVector(),
                cancelled.getUpdater().getStateViewArray().toFloatVector(), "Adam's moments: the five batches are undone");
        assertEquals(stopped.getIterationCount(), cancelled.getIterationCount(), "iteration count");
        assertEquals(2, cancelled.getEpochCount());
    }

    @Test
    void subscribingTwiceToOneFitGivesTheSameEpochs() {
        // each subscription starts from the weights and the updater state the first one found
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = Dl4jNets.conv(45);
        io.epochflux.data.Split split = io.epochflux.data.Mnist.sampleSplit(io.epochflux.TestData.sample(), 200, 100, 5);
        reactor.core.publisher.Flux<io.epochflux.train.EpochMetrics> fit = io.epochflux.train.Trainer.builder().epochs(2)
                .batchSize(50).seed(3).build().fit(Dl4jModel.of(net), split.train(), split.validation());
        java.util.List<java.util.Map<String, Double>> first = fit.map(io.epochflux.train.EpochMetrics::values).collectList().block();
        int iterations = net.getIterationCount();
        java.util.List<java.util.Map<String, Double>> second = fit.map(io.epochflux.train.EpochMetrics::values).collectList().block();
        org.junit.jupiter.api.Assertions.assertEquals(first, second);
        org.junit.jupiter.api.Assertions.assertEquals(iterations, net.getIterationCount(), "the second run started from the same counts");
    }
}
