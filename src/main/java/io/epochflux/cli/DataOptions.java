package io.epochflux.cli;

import io.epochflux.data.Dataset;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        checkDirectory(spec, "--data-dir", dataDir);
        Mnist.TrainAndTest files = Mnist.directory(dataDir);
        Dataset train = files.train();
        if (train.size() <= Mnist.KERAS_VALIDATION_POOL) {
            // Keras' split keeps the last 10,000 for validation: with fewer there is no training pool
            throw Usage.error(spec, String.format(java.util.Locale.ROOT, "--data-dir must hold more than %,d training"
                    + " examples (the last %,d are the validation pool, as in Keras), but %s holds %,d", Mnist.KERAS_VALIDATION_POOL,
                    Mnist.KERAS_VALIDATION_POOL, dataDir.resolve("train-images-idx3-ubyte[.gz]"), train.size()));
        }
        if (files.test().size() == 0) {
            throw Usage.error(spec, "--data-dir must hold at least 1 test example, but " + dataDir.resolve(
                    "t10k-images-idx3-ubyte[.gz]") + " holds 0");
        }
        checkPool(spec, "--train-size", trainSize, train.size() - Mnist.KERAS_VALIDATION_POOL,
                "the training pool of " + dataDir + ": all but the last " + Mnist.KERAS_VALIDATION_POOL);
        checkPool(spec, "--val-size", valSize, Mnist.KERAS_VALIDATION_POOL,
                "the validation pool of " + dataDir + ": the last " + Mnist.KERAS_VALIDATION_POOL);
        return Mnist.kerasSplit(files, trainSize, valSize, seed);
    }

    private static void checkPool(CommandSpec spec, String option, int size, int pool, String what) {
        if (size > pool) {
            throw Usage.error(spec, option + " must be <= " + pool + " (" + what + "), but was " + size);
        }
    }

    /**
     * Checks a data directory before anything is read: it exists, can be listed, and holds the four
     * standard files; the message says which are missing, or what the operating system refused.
     */
    static void checkDirectory(CommandSpec spec, String option, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw Usage.error(spec, option + " must be an existing directory, but " + dir + " is not one"
                    + (Files.exists(dir) ? " (it is a file)" : " (No such file or directory)"));
        }
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            listing.iterator().hasNext();
        } catch (IOException | DirectoryIteratorException e) {
            IOException io = e instanceof DirectoryIteratorException d ? d.getCause() : (IOException) e;
            throw Usage.error(spec, option + " must be a readable directory, but " + dir + " cannot be read: "
                    + Usage.reason(io));
        }
        List<String> missing = new ArrayList<>();
        for (String name : STANDARD_FILES) {
            if (!Files.isRegularFile(dir.resolve(name)) && !Files.isRegularFile(dir.resolve(name + ".gz"))) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw Usage.error(spec, option + " must hold " + String.join(", ", STANDARD_FILES) + " (each optionally .gz), but "
                    + dir + " has no " + String.join(", no ", missing));
        }
    }

    private static final List<String> STANDARD_FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
}
