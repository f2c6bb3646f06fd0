package io.epochflux.cli;

import io.epochflux.server.RunRequest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A run started over HTTP with no settings is the {@code train} command's run with no options. */
class RunRequestDefaultsTest {

    @Test
    void theRequestDefaultsAreTheTrainCommandDefaults() {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs();
        RunRequest d = RunRequest.defaults();
        assertEquals(train.training.epochs, d.epochs());
        assertEquals(train.training.batchSize, d.batchSize());
        assertEquals(train.training.optimizer.name(), d.optimizer());
        assertNull(train.training.learningRate);
        assertNull(d.lr());
        assertEquals(train.training.seed, d.seed());
        assertEquals(train.training.nesterov, d.nesterov());
        assertEquals(train.data.trainSize, d.trainSize());
        assertEquals(train.data.valSize, d.valSize());
        assertEquals(java.util.Arrays.stream(train.model.hidden.split(",")).map(Integer::valueOf).toList(), d.hidden());
        assertEquals(train.model.activation, d.activation());
        assertEquals(train.stops.monitor, d.monitor());
        assertEquals(train.stops.minDelta, d.minDelta());
        assertEquals(train.stops.mode.name(), d.mode());
        assertEquals(train.stops.restoreBestWeights, d.restoreBestWeights());
        assertEquals(train.stops.startFromEpoch, d.startFromEpoch());
        assertEquals(train.stops.disabled, d.noEarlyStopping());
        assertEquals(0, d.patience(), "train's --patience default is 0");
        assertNull(train.stops.patience);
        assertNull(d.baseline());
        assertNull(d.timeBudget());
        assertFalse(d.noEarlyStopping());
        assertEquals(List.copyOf(StopOptions.METRICS), RunRequest.METRICS);
    }
}
