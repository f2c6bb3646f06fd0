package io.epochflux.dl4j;

import io.epochflux.data.Split;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingRun;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Early stopping on a DL4J network: the stream stops the network's training and puts the best epoch's parameters back into it. */
class Dl4jEarlyStoppingTest {

    private static final Split SPLIT = Dl4jNets.small();
    private static final int MAX_EPOCHS = 60;

    @Test
    void restoreBestWeightsLeavesTheNetworkWithTheBestEpochsParameters() {
        // a fast rate on 300 digits overfits within a few epochs, so val_loss turns up and patience runs out
        MultiLayerNetwork net = Dl4jNets.dense(21, new Adam(0.01), 32);
        Trainer trainer = Trainer.builder().epochs(MAX_EPOCHS).batchSize(30).seed(4).snapshots(true).build();
        TrainingRun run = trainer.run(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation());
        List<EpochMetrics> epochs = run.epochs()
                .transform(EarlyStopping.builder().monitor("val_loss").patience(2).restoreBestWeights(true).build())
                .collectList()
                .block(Duration.ofMinutes(1));
        History history = History.of(epochs);

        StopReport report = history.stop().orElseThrow();
        assertEquals(StopReason.PATIENCE_EXHAUSTED, report.reason(), report.message());
        assertTrue(report.epoch() < MAX_EPOCHS, "stopped early, at " + report.epoch());
        int best = history.argMin("val_loss").getAsInt();
        assertEquals(best, report.bestEpoch().getAsInt(), "the report names the best epoch");
        assertEquals(best, report.restoredFromEpoch().getAsInt());
        assertTrue(best < report.epoch(), "the best epoch is not the last: " + report);

        float[] bestParameters = epochs.get(best - 1).snapshot().orElseThrow().parameters().orElseThrow();
        float[] lastParameters = epochs.get(epochs.size() - 1).snapshot().orElseThrow().parameters().orElseThrow();
        assertFalse(java.util.Arrays.equals(bestParameters, lastParameters), "training went on after the best epoch");
        assertArrayEquals(bestParameters, net.params().toFloatVector(), "the network holds the best epoch's parameters");

        RunOutcome outcome = run.outcome().block(Duration.ofSeconds(30));
        assertEquals(RunOutcome.Kind.STOPPED_EARLY, outcome.kind());
        assertEquals(best, outcome.weightsEpoch());
        double valLoss = net.score(new DataSet(SPLIT.validation().features(), SPLIT.validation().labels()), false);
        assertEquals(history.epochs().get(best - 1).value("val_loss").orElseThrow(), valLoss, 1e-6,
                "DL4J's own score of the validation set is the best epoch's val_loss");
    }
}
