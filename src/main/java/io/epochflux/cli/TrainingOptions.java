package io.epochflux.cli;

import io.epochflux.nn.Optimizer;
import io.epochflux.train.BatchListener;
import io.epochflux.train.Trainer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** How the run trains: epochs, batch size, optimizer, seed. */
final class TrainingOptions {

    /** The optimizers the command line offers. */
    enum OptimizerName { sgd, adam }

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3000",
            description = "The most epochs a run goes to (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "10",
            description = "Examples per training step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd",
            description = "sgd or adam (default: ${DEFAULT-VALUE}).")
    OptimizerName optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: Keras' 0.01 for sgd, 0.001 for adam).")
    Double learningRate;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum, 0 <= M < 1 (default: 0).")
    Double momentum;

    @Option(names = "--nesterov", description = "Use Nesterov momentum with SGD.")
    boolean nesterov;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "10",
            description = "Seeds the data draw, the initial weights and the shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    Optimizer optimizer(CommandSpec spec) {
        if (learningRate != null && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw Usage.error(spec, "--lr must be > 0, but was " + learningRate);
        }
        if (optimizer == OptimizerName.adam) {
            if (momentum != null || nesterov) {
                throw Usage.error(spec, "--momentum and --nesterov apply to --optimizer sgd, but the optimizer is adam");
            }
            return learningRate == null ? Optimizer.adam() : Optimizer.adam(learningRate);
        }
        double m = momentum == null ? 0.0 : momentum;
        if (!(m >= 0 && m < 1)) {
            throw Usage.error(spec, "--momentum must be >= 0 and < 1, but was " + m);
        }
        if (nesterov && m == 0) {
            throw Usage.error(spec, "--nesterov needs --momentum above 0, but it was 0");
        }
        return Optimizer.sgd(learningRate == null ? Optimizer.Sgd.DEFAULT_LEARNING_RATE : learningRate, m, nesterov);
    }

    Trainer trainer(CommandSpec spec, BatchListener listener) {
        return trainer(spec, listener, true);
    }

    /**
     * @param withOptimizer false for a model with an optimizer of its own (a DL4J network's
     *                      updater): then the optimizer options must not be given
     */
    Trainer trainer(CommandSpec spec, BatchListener listener, boolean withOptimizer) {
        Usage.atLeast(spec, "--epochs", epochs, 1);
        Usage.atLeast(spec, "--batch-size", batchSize, 1);
        Trainer.Builder b = Trainer.builder().epochs(epochs).batchSize(batchSize).seed(seed).batchListener(listener);
        if (withOptimizer) {
            b.optimizer(optimizer(spec));
        }
        return b.build();
    }
}
