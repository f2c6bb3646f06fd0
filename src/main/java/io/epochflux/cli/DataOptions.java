package io.epochflux.cli;

import io.epochflux.data.Dataset;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the examples come from and how many of them. */
final class DataOptions {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "A directory with the standard MNIST file names (train-images-idx3-ubyte[.gz], "
                    + "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]), "
                    + "such as a full MNIST or Fashion-MNIST download. Default: the 10,000-digit sample in the jar.")
    Path dataDir;

    @Option(names = "--train-size", paramLabel = "N", defaultValue = "700",
            description = "Training examples, drawn with the seed from the training pool (default: ${DEFAULT-VALUE}).")
    int trainSize;

    @Option(names = "--val-size", paramLabel = "N", defaultValue = "300",
            description = "Validation examples, drawn from the validation pool (default: ${DEFAULT-VALUE}).")
    int valSize;

    /** Checks the options and loads the split; usage errors exit with 2. */
    Split load(CommandSpec spec, long seed) throws IOException {
        Usage.atLeast(spec, "--train-size", trainSize, 1);
        Usage.atLeast(spec, "--val-size", valSize, 1);
        if (dataDir == null) {
            checkPool(spec, "--train-size", trainSize, Mnist.SAMPLE_TRAIN_POOL_END, "the bundled sample's training pool");
            checkPool(spec, "--val-size", valSize, Mnist.SAMPLE_VALIDATION_POOL_END - Mnist.SAMPLE_TRAIN_POOL_END,
                    "the bundled sample's validation pool");
            return Mnist.sampleSplit(Mnist.bundledSample(), trainSize, valSize, seed);
        }
        if (!Files.isDirectory(dataDir)) {
            throw Usage.error(spec, "--data-dir must be an existing directory, but " + dataDir + " is not one");
        }
        if (!Mnist.hasStandardFiles(dataDir)) {
            throw Usage.error(spec, "--data-dir must hold train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                    + "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally .gz), but " + dataDir
                    + " does not");
        }
        Mnist.TrainAndTest files = Mnist.directory(dataDir);
        Dataset train = files.train();
        checkPool(spec, "--train-size", trainSize, train.size() - Mnist.KERAS_VALIDATION_POOL,
                "the training pool of " + dataDir + ": all but the last " + Mnist.KERAS_VALIDATION_POOL);
        checkPool(spec, "--val-size", valSize, Math.min(Mnist.KERAS_VALIDATION_POOL, train.size()),
                "the validation pool of " + dataDir + ": the last " + Mnist.KERAS_VALIDATION_POOL);
        return Mnist.kerasSplit(files, trainSize, valSize, seed);
    }

    private static void checkPool(CommandSpec spec, String option, int size, int pool, String what) {
        if (size > pool) {
            throw Usage.error(spec, option + " must be <= " + pool + " (" + what + "), but was " + size);
        }
    }
}
