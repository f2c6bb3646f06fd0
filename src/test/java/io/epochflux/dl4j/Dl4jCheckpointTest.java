package io.epochflux.dl4j;

import io.epochflux.checkpoint.CheckpointStore;
import io.epochflux.checkpoint.Checkpoints;
import io.epochflux.checkpoint.ResumePoint;
import io.epochflux.data.Split;
import io.epochflux.nn.OptimizerState;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.Trainer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A DL4J run checkpointed at epoch K, written to a file and continued on a fresh network of the
 * same configuration, ends bit for bit as the same run left alone: parameters, Adam's moments,
 * iteration and epoch counts, and every later epoch's figures.
 */
class Dl4jCheckpointTest {

    private static final Split SPLIT = Dl4jNets.small();
    private static final Duration WAIT = Duration.ofMinutes(1);
    private static final int EPOCHS = 6;
    private static final int K = 3;
    private static final int BATCH = 30;

    /** A network and the parts of its state a checkpoint must carry. */
    private record Net(Dl4jModel model, Model network) {
        static Net of(MultiLayerNetwork n) {
            return new Net(Dl4jModel.of(n), n);
        }

        static Net of(ComputationGraph g) {
            return new Net(Dl4jModel.of(g), g);
        }

        float[] params() {
            return network.params().toFloatVector();
        }

        float[] updater() {
            return (network instanceof MultiLayerNetwork m ? m.getUpdater().getStateViewArray()
                    : ((ComputationGraph) network).getUpdater().getStateViewArray()).toFloatVector();
        }

        int iterations() {
            return network instanceof MultiLayerNetwork m ? m.getIterationCount() : ((ComputationGraph) network).getIterationCount();
        }

        int epochs() {
            return network instanceof MultiLayerNetwork m ? m.getEpochCount() : ((ComputationGraph) network).getEpochCount();
        }
    }

    static Stream<Arguments> networks() {
        // dropout: the masks follow the iteration count, so a resumed run must get it back to draw the same ones
        Supplier<Net> withDropout = () -> Net.of(Dl4jNets.init(Dl4jNets.denseConf(41, new Adam(1e-3), 16, 0.8)));
        Supplier<Net> graph = () -> Net.of(Dl4jNets.denseGraph(42, new Adam(1e-3), 16));
        return Stream.of(Arguments.of("MultiLayerNetwork with dropout", withDropout), Arguments.of("ComputationGraph", graph));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void aRunContinuedFromACheckpointOnAFreshNetworkEndsBitForBitAsTheRunLeftAlone(String kind, Supplier<Net> make,
                                                                                  @TempDir Path dir) throws Exception {
        Trainer trainer = Trainer.builder().epochs(EPOCHS).batchSize(BATCH).seed(8).build();

        Net alone = make.get();
        List<EpochMetrics> full = trainer.fit(alone.model(), SPLIT.train(), SPLIT.validation()).collectList().block(WAIT);
        assertEquals(EPOCHS, full.size());

        // interrupted after epoch K, its checkpoint written to a file
        Net interrupted = make.get();
        List<ResumePoint> points = new ArrayList<>();
        trainer.fit(interrupted.model(), SPLIT.train(), SPLIT.validation())
                .transform(Checkpoints.every(K, points::add))
                .take(K)
                .blockLast(WAIT);
        assertEquals(1, points.size(), "one checkpoint, at epoch " + K);
        CheckpointStore store = CheckpointStore.in(dir, 2);
        store.write(points.get(0));

        Net fresh = make.get();
        float[] noise = new float[fresh.params().length];
        Arrays.fill(noise, 0.25f);
        fresh.model().restore(noise); // whatever it holds, the checkpoint's parameters replace it
        assertEquals(0, fresh.iterations());
        ResumePoint from = store.latest(trainer, fresh.model(), SPLIT.train()).point().orElseThrow();
        assertEquals(points.get(0), from, "the file holds the checkpoint");
        OptimizerState optimizer = from.run().optimizer();
        assertEquals("dl4j", optimizer.optimizer());
        assertEquals(K * SPLIT.train().size() / BATCH, optimizer.step(), "the iteration count");
        assertFalse(Arrays.equals(alone.params(), from.run().weights()), "the checkpoint is not the end");

        List<EpochMetrics> resumed = trainer.fit(fresh.model(), SPLIT.train(), SPLIT.validation(), from.run())
                .collectList().block(WAIT);

        assertEquals(EPOCHS - K, resumed.size());
        for (int i = 0; i < resumed.size(); i++) {
            EpochMetrics expected = full.get(K + i);
            assertEquals(expected.epoch(), resumed.get(i).epoch());
            assertEquals(expected.values(), resumed.get(i).values(), kind + ": epoch " + expected.epoch() + ", exactly");
        }
        assertArrayEquals(alone.params(), fresh.params(), kind + ": parameters");
        assertArrayEquals(alone.updater(), fresh.updater(), kind + ": Adam's moments");
        assertEquals(alone.iterations(), fresh.iterations(), kind + ": iteration count");
        assertEquals(EPOCHS, fresh.epochs(), kind + ": epoch count");
        assertEquals(alone.epochs(), fresh.epochs());
    }
}
