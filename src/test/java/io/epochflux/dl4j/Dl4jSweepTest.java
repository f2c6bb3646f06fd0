package io.epochflux.dl4j;

import io.epochflux.data.Split;
import io.epochflux.sweep.Pruner;
import io.epochflux.sweep.SearchSpace;
import io.epochflux.sweep.Sweep;
import io.epochflux.sweep.TrialConfig;
import io.epochflux.sweep.TrialResult;
import io.epochflux.train.StopReason;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A sweep whose trials are DL4J networks built from each trial's settings, pruned by successive halving. */
class Dl4jSweepTest {

    private static final Split SPLIT = Dl4jNets.small();
    private static final int EPOCHS = 4;
    private static final int BATCH = 30;

    @Test
    void successiveHalvingOverFourDl4jTrialsPrunesThreeAndNamesTheBest() {
        List<TrialConfig> grid = SearchSpace.builder().hidden(List.of(List.of(4), List.of(32)))
                .optimizers(List.of("adam")).learningRates(List.of(1e-3, 1e-2)).batchSizes(List.of(BATCH)).build().grid();
        Map<String, MultiLayerNetwork> nets = new ConcurrentHashMap<>();
        Sweep sweep = Sweep.builder(grid, SPLIT.train(), SPLIT.validation())
                .pruner(Pruner.successiveHalving(1, 2)) // rungs at epochs 1 and 2: 4 trials -> 2 -> 1
                .epochs(EPOCHS)
                .seed(5)
                .models(trial -> {
                    TrialConfig c = trial.config();
                    MultiLayerNetwork net = Dl4jNets.dense(5, new Adam(c.learningRate()), c.hidden().get(0));
                    nets.put(trial.name(), net);
                    return Dl4jModel.of(net);
                })
                .build();
        List<TrialResult> results = sweep.results().block(Duration.ofMinutes(2));

        assertEquals(4, results.size());
        assertEquals(4, nets.size(), "one DL4J network a trial");
        List<TrialResult> pruned = results.stream().filter(TrialResult::pruned).toList();
        assertEquals(3, pruned.size(), results.toString());
        assertEquals(2, pruned.stream().filter(r -> r.prunedAtRung().getAsInt() == 0).count(), results.toString());
        assertEquals(1, pruned.stream().filter(r -> r.prunedAtRung().getAsInt() == 1).count(), results.toString());
        for (TrialResult r : pruned) {
            assertEquals(StopReason.PRUNED, r.stop().orElseThrow().reason());
            assertEquals(r.prunedAtRung().getAsInt() + 1, r.epochs(), "pruned at its rung's epoch: " + r);
        }

        TrialResult best = results.get(0);
        assertFalse(best.pruned(), "the best trained on: " + best);
        assertEquals(EPOCHS, best.epochs());
        assertEquals(StopReason.MAX_EPOCHS, best.stop().orElseThrow().reason());
        assertEquals(results.stream().min(Comparator.comparingDouble(TrialResult::bestValLoss)).orElseThrow().trial().name(),
                best.trial().name(), "the best is the trial with the lowest val_loss");

        for (TrialResult r : results) {
            MultiLayerNetwork net = nets.get(r.trial().name());
            TrialConfig c = r.trial().config();
            assertEquals(c.learningRate(), net.getLearningRate(0), r.trial().name() + ": the trial's rate trained its network");
            assertEquals(c.hidden().get(0).longValue(), ((FeedForwardLayer) net.getLayer(0).conf().getLayer()).getNOut());
            assertEquals(r.epochs() * SPLIT.train().size() / BATCH, net.getIterationCount(),
                    r.trial().name() + ": its network trained its epochs and no batch after a prune");
        }
    }
}
