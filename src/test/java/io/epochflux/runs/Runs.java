package io.epochflux.runs;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingRun;

/** Small, quick runs for the handle's tests. */
final class Runs {

    private static final Split SPLIT = TestData.seedSplit();

    private Runs() {
    }

    static TrainingRun run(int epochs) {
        Sequential model = Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(1).build();
        return Trainer.builder().epochs(epochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10).build()
                .run(model, SPLIT.train().slice(0, 50), SPLIT.validation().slice(0, 20));
    }
}
