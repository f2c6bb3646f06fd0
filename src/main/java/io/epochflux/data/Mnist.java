package io.epochflux.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * MNIST-style data: the 10,000-digit sample bundled in the jar, any directory holding the four
 * standard IDX files (MNIST, Fashion-MNIST), and the splits the seed experiment uses on each.
 */
public final class Mnist {

    /** The number of classes of MNIST and Fashion-MNIST. */
    public static final int CLASSES = 10;

    /** The bundled sample's training pool: examples {@code [0, 6000)}. */
    public static final int SAMPLE_TRAIN_POOL_END = 6000;
    /** The bundled sample's validation pool: examples {@code [6000, 8000)}. */
    public static final int SAMPLE_VALIDATION_POOL_END = 8000;
    /** The bundled sample's size; its test set is {@code [8000, 10000)}. */
    public static final int SAMPLE_SIZE = 10_000;
    /** Keras' split of a full training set keeps its last 10,000 examples for validation. */
    public static final int KERAS_VALIDATION_POOL = 10_000;

    static final String SAMPLE_IMAGES = "mnist-sample-images-idx3-ubyte.gz";
    static final String SAMPLE_LABELS = "mnist-sample-labels-idx1-ubyte.gz";
    static final String SAMPLE_IMAGES_SHA256 = "d5b9afb0e1eb8e6725370bcbb747c240f2c56d4f415bf729a951ec0399aab3db";
    static final String SAMPLE_LABELS_SHA256 = "2184dc20fe3662464c7fecd934648f5df8051da2704e092d7a1e7256caebbb9e";

    /** The standard file names; each may also end in {@code .gz}. */
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private Mnist() {
    }

    /** A training set and a test set read from the standard files. */
    public record TrainAndTest(Dataset train, Dataset test) {
        /**
         * Checks both are present.
         *
         * @param train the training file's examples
         * @param test the test file's examples
         */
        public TrainAndTest {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(test, "test");
        }
    }

    /**
     * Loads the 10,000 MNIST digits bundled in the jar, after checking the files' SHA-256.
     *
     * @return 10,000 examples of 784 features and 10 one-hot classes
     * @throws IOException when the bundled files are missing or damaged
     */
    public static Dataset bundledSample() throws IOException {
        byte[] images = checkedResource(SAMPLE_IMAGES, SAMPLE_IMAGES_SHA256);
        byte[] labels = checkedResource(SAMPLE_LABELS, SAMPLE_LABELS_SHA256);
        IdxImages im = Idx.readImages(new java.io.ByteArrayInputStream(images), SAMPLE_IMAGES);
        IdxLabels lb = Idx.readLabels(new java.io.ByteArrayInputStream(labels), SAMPLE_LABELS);
        Dataset all = Dataset.fromIdx(im, SAMPLE_IMAGES, lb, SAMPLE_LABELS, CLASSES);
        return all.rename("mnist-sample");
    }

    static byte[] checkedResource(String name, String sha256) throws IOException {
        byte[] bytes;
        try (InputStream in = Mnist.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new NoSuchFileException(name, null, "bundled resource missing from the class path");
            }
            bytes = in.readAllBytes();
        }
        String found = sha256(bytes);
        if (!found.equals(sha256)) {
            throw new IdxFormatException(name, "bundled file is damaged: expected SHA-256 " + sha256 + ", found " + found);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Reads the four standard files from a directory: {@code train-images-idx3-ubyte},
     * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and
     * {@code t10k-labels-idx1-ubyte}, each plain or with {@code .gz}.
     *
     * @param directory where the files are
     * @return the training and test sets
     * @throws IOException when the directory or a file is missing or malformed
     */
    public static TrainAndTest directory(Path directory) throws IOException {
        Objects.requireNonNull(directory, "directory");
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "not a directory");
        }
        Dataset train = Idx.readDataset(find(directory, TRAIN_IMAGES), find(directory, TRAIN_LABELS), CLASSES);
        Dataset test = Idx.readDataset(find(directory, TEST_IMAGES), find(directory, TEST_LABELS), CLASSES);
        return new TrainAndTest(train, test);
    }

    /**
     * Tells whether a directory holds the four standard files.
     *
     * @param directory where to look
     * @return true when every file is there, plain or gzipped
     */
    public static boolean hasStandardFiles(Path directory) {
        for (String name : new String[] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
            if (!Files.isRegularFile(directory.resolve(name)) && !Files.isRegularFile(directory.resolve(name + ".gz"))) {
                return false;
            }
        }
        return true;
    }

    private static Path find(Path directory, String name) throws NoSuchFileException {
        Path plain = directory.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = directory.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(directory.toString(), null, "has no " + name + " or " + name + ".gz");
    }

    /**
     * The seed experiment's split of the bundled sample: {@code trainSize} examples drawn from
     * the training pool {@code [0, 6000)}, {@code validationSize} from the validation pool
     * {@code [6000, 8000)}, and the test set {@code [8000, 10000)}.
     *
     * @param sample the bundled sample ({@link #bundledSample()})
     * @param trainSize {@code 1 <= trainSize <= 6000}
     * @param validationSize {@code 1 <= validationSize <= 2000}
     * @param seed the seed of the draw
     * @return the split
     */
    public static Split sampleSplit(Dataset sample, int trainSize, int validationSize, long seed) {
        Objects.requireNonNull(sample, "sample");
        if (sample.size() != SAMPLE_SIZE) {
            throw new IllegalArgumentException("sample must have " + SAMPLE_SIZE + " examples (the bundled sample), but had "
                    + sample.size());
        }
        return draw(sample.slice(0, SAMPLE_TRAIN_POOL_END),
                sample.slice(SAMPLE_TRAIN_POOL_END, SAMPLE_VALIDATION_POOL_END),
                sample.slice(SAMPLE_VALIDATION_POOL_END, SAMPLE_SIZE), trainSize, validationSize, seed);
    }

    /**
     * Keras' split of a full set: {@code trainSize} examples drawn from all but the last 10,000
     * training examples, {@code validationSize} from those last 10,000, and the whole test set.
     *
     * @param files the training and test sets ({@link #directory(Path)})
     * @param trainSize {@code 1 <= trainSize <= train.size() - 10000}
     * @param validationSize {@code 1 <= validationSize <= 10000}
     * @param seed the seed of the draw
     * @return the split
     */
    public static Split kerasSplit(TrainAndTest files, int trainSize, int validationSize, long seed) {
        Objects.requireNonNull(files, "files");
        Dataset train = files.train();
        if (train.size() <= KERAS_VALIDATION_POOL) {
            throw new IllegalArgumentException("the training file must have more than " + KERAS_VALIDATION_POOL
                    + " examples to keep its last " + KERAS_VALIDATION_POOL + " for validation, but had " + train.size());
        }
        int poolEnd = train.size() - KERAS_VALIDATION_POOL;
        return draw(train.slice(0, poolEnd), train.slice(poolEnd, train.size()), files.test(), trainSize,
                validationSize, seed);
    }

    private static Split draw(Dataset trainPool, Dataset validationPool, Dataset test, int trainSize,
                              int validationSize, long seed) {
        checkSize("trainSize", trainSize, trainPool);
        checkSize("validationSize", validationSize, validationPool);
        Dataset train = trainSize == trainPool.size() ? trainPool : trainPool.sample(trainSize, seed);
        Dataset validation = validationSize == validationPool.size() ? validationPool
                : validationPool.sample(validationSize, seed);
        return new Split(train, validation, test);
    }

    private static void checkSize(String name, int size, Dataset pool) {
        if (size < 1 || size > pool.size()) {
            throw new IllegalArgumentException(name + " must be in 1.." + pool.size() + " (the size of the pool "
                    + pool.name() + "), but was " + size);
        }
    }
}
