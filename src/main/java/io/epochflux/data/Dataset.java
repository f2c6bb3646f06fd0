package io.epochflux.data;

import io.epochflux.internal.DatasetArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An immutable set of examples: float32 features ({@code [size, featureCount]}, pixels scaled to
 * [0, 1] for images) and float32 targets ({@code [size, labelCount]}): one-hot classes for a
 * {@link Task#CLASSIFICATION} dataset ({@link #of}, {@link #fromIdx}), numbers to predict for a
 * {@link Task#REGRESSION} one ({@link #regression}).
 *
 * <p>Every accessor hands out a copy, so one dataset can feed many runs at once. Subsets
 * ({@link #slice}, {@link #select}, {@link #sample}) keep the task and carry a name that records
 * how they were made, and {@link #digest()} identifies the exact content for a run's provenance.
 */
public final class Dataset {

    private final String name;
    private final Task task;
    private final int size;
    private final int featureCount;
    private final int labelCount;
    private final float[] features;
    private final float[] labels;
    private volatile String digest;

    static {
        DatasetArrays.install(new DatasetArrays.Access() {
            @Override
            public float[] features(Dataset dataset) {
                return dataset.features;
            }

            @Override
            public float[] labels(Dataset dataset) {
                return dataset.labels;
            }
        });
    }

    private Dataset(String name, Task task, int size, int featureCount, int labelCount, float[] features,
                    float[] labels) {
        this.name = name;
        this.task = task;
        this.size = size;
        this.featureCount = featureCount;
        this.labelCount = labelCount;
        this.features = features;
        this.labels = labels;
    }

    /**
     * Creates a dataset from two matrices with one row per example.
     *
     * @param name a short description for reports
     * @param features {@code [size, featureCount]}, copied
     * @param labels {@code [size, labelCount]}, copied
     * @return the dataset
     */
    public static Dataset of(String name, INDArray features, INDArray labels) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        if (features.rank() != 2) {
            throw new IllegalArgumentException("features must be a matrix [size, featureCount], but had shape "
                    + java.util.Arrays.toString(features.shape()));
        }
        if (labels.rank() != 2) {
            throw new IllegalArgumentException("labels must be a matrix [size, labelCount], but had shape "
                    + java.util.Arrays.toString(labels.shape()));
        }
        if (features.rows() != labels.rows()) {
            throw new IllegalArgumentException("features and labels must have the same number of rows, but had "
                    + features.rows() + " and " + labels.rows());
        }
        int n = (int) features.rows();
        int d = (int) features.columns();
        int c = (int) labels.columns();
        return of(name, n, d, c, features.castTo(DataType.FLOAT).dup('c').data().asFloat(),
                labels.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    /**
     * Creates a classification dataset from row-major arrays.
     *
     * @param name a short description for reports
     * @param size the number of examples, {@code >= 0}
     * @param featureCount features per example, {@code >= 1}
     * @param labelCount targets per example, {@code >= 1}
     * @param features {@code size * featureCount} values, copied
     * @param labels {@code size * labelCount} values, copied
     * @return the dataset
     */
    public static Dataset of(String name, int size, int featureCount, int labelCount, float[] features, float[] labels) {
        check(name, size, featureCount, labelCount, features, labels, "labelCount", "labels");
        return new Dataset(name, Task.CLASSIFICATION, size, featureCount, labelCount, features.clone(), labels.clone());
    }

    /**
     * Creates a regression dataset from row-major arrays: the targets are numbers to predict, not
     * classes, so {@link #classOf(int)} refuses it and its {@link #digest()} differs from a
     * classification dataset's with the same arrays.
     *
     * @param name a short description for reports
     * @param size the number of examples, {@code >= 0}
     * @param featureCount features per example, {@code >= 1}
     * @param targetCount targets per example, {@code >= 1}
     * @param features {@code size * featureCount} values, copied
     * @param targets {@code size * targetCount} values, copied
     * @return the dataset, {@link Task#REGRESSION}
     */
    public static Dataset regression(String name, int size, int featureCount, int targetCount, float[] features,
                                     float[] targets) {
        check(name, size, featureCount, targetCount, features, targets, "targetCount", "targets");
        return new Dataset(name, Task.REGRESSION, size, featureCount, targetCount, features.clone(), targets.clone());
    }

    private static void check(String name, int size, int featureCount, int targetCount, float[] features,
                              float[] targets, String targetCountName, String targetsName) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, targetsName);
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, but was " + size);
        }
        if (featureCount < 1) {
            throw new IllegalArgumentException("featureCount must be >= 1, but was " + featureCount);
        }
        if (targetCount < 1) {
            throw new IllegalArgumentException(targetCountName + " must be >= 1, but was " + targetCount);
        }
        if (features.length != (long) size * featureCount) {
            throw new IllegalArgumentException("features.length must be size * featureCount = "
                    + (long) size * featureCount + ", but was " + features.length);
        }
        if (targets.length != (long) size * targetCount) {
            throw new IllegalArgumentException(targetsName + ".length must be size * " + targetCountName + " = "
                    + (long) size * targetCount + ", but was " + targets.length);
        }
    }

    /**
     * Wraps arrays the caller hands over and never touches again, without a copy: for readers in
     * this package that have already checked the shape.
     */
    static Dataset wrap(String name, Task task, int size, int featureCount, int labelCount, float[] features,
                        float[] labels) {
        check(name, size, featureCount, labelCount, features, labels, "labelCount", "labels");
        return new Dataset(name, Objects.requireNonNull(task, "task"), size, featureCount, labelCount, features, labels);
    }

    /**
     * Builds a classification dataset from IDX images and labels: pixels divided by 255, labels
     * one-hot.
     *
     * @param images the images
     * @param imagesSource the images' file name, for messages and the dataset's name
     * @param labels one label per image
     * @param labelsSource the labels' file name, for messages
     * @param classes the number of classes, {@code >= 1}; every label must be below it
     * @return the dataset
     * @throws IdxFormatException when the counts differ or a label is out of range
     */
    public static Dataset fromIdx(IdxImages images, String imagesSource, IdxLabels labels, String labelsSource,
                                  int classes) throws IdxFormatException {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(imagesSource, "imagesSource");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(labelsSource, "labelsSource");
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, but was " + classes);
        }
        if (images.count() != labels.count()) {
            throw new IdxFormatException(labelsSource, "count does not match the images: " + imagesSource + " has "
                    + images.count() + " images, but this file has " + labels.count() + " labels");
        }
        int n = images.count();
        int d = images.rows() * images.columns();
        byte[] pixels = images.unsafeBytes();
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (pixels[i] & 0xFF) / 255f;
        }
        byte[] raw = labels.unsafeBytes();
        float[] y = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int label = raw[i] & 0xFF;
            if (label >= classes) {
                throw new IdxFormatException(labelsSource, "label of item " + i + " must be in 0.." + (classes - 1)
                        + ", but was " + label);
            }
            y[i * classes + label] = 1f;
        }
        return new Dataset(fileName(imagesSource), Task.CLASSIFICATION, n, d, classes, x, y);
    }

    private static String fileName(String source) {
        int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
        return source.substring(slash + 1);
    }

    /**
     * Returns how this dataset was made, for reports ({@code mnist-sample[0:6000] sample(700, seed=10)}).
     *
     * @return a short description
     */
    public String name() {
        return name;
    }

    /**
     * Returns what the targets mean: one-hot classes or numbers to predict.
     *
     * @return {@link Task#CLASSIFICATION} for {@link #of} and {@link #fromIdx}, {@link Task#REGRESSION}
     *         for {@link #regression}
     */
    public Task task() {
        return task;
    }

    /**
     * Returns the number of examples.
     *
     * @return rows
     */
    public int size() {
        return size;
    }

    /**
     * Returns the number of features per example (784 for MNIST).
     *
     * @return feature columns
     */
    public int featureCount() {
        return featureCount;
    }

    /**
     * Returns the number of targets per example (the classes, for one-hot labels).
     *
     * @return label columns
     */
    public int labelCount() {
        return labelCount;
    }

    /**
     * Returns the features as a new float32 matrix {@code [size, featureCount]}.
     *
     * @return a copy the caller owns
     */
    public INDArray features() {
        return Nd4j.create(features, new long[] {size, featureCount}, 'c');
    }

    /**
     * Returns the targets as a new float32 matrix {@code [size, labelCount]}.
     *
     * @return a copy the caller owns
     */
    public INDArray labels() {
        return Nd4j.create(labels, new long[] {size, labelCount}, 'c');
    }

    /**
     * Returns the features row-major in a new array.
     *
     * @return {@code size * featureCount} values
     */
    public float[] featureArray() {
        return features.clone();
    }

    /**
     * Returns the targets row-major in a new array.
     *
     * @return {@code size * labelCount} values
     */
    public float[] labelArray() {
        return labels.clone();
    }

    /**
     * Returns the class of one example: the index of its largest target (the first, on ties).
     *
     * @param index the example, {@code 0 <= index < size()}
     * @return the class
     * @throws IllegalStateException when this is a {@link Task#REGRESSION} dataset: it has no classes
     */
    public int classOf(int index) {
        if (task != Task.CLASSIFICATION) {
            throw new IllegalStateException("classOf needs a CLASSIFICATION dataset, but " + name + " is " + task
                    + ": its targets are numbers, not classes");
        }
        Objects.checkIndex(index, size);
        int base = index * labelCount;
        int best = 0;
        for (int j = 1; j < labelCount; j++) {
            if (labels[base + j] > labels[base + best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * Returns the examples {@code [from, to)}.
     *
     * @param from the first example, inclusive
     * @param to the end, exclusive
     * @return a new dataset
     */
    public Dataset slice(int from, int to) {
        Objects.checkFromToIndex(from, to, size);
        float[] x = java.util.Arrays.copyOfRange(features, from * featureCount, to * featureCount);
        float[] y = java.util.Arrays.copyOfRange(labels, from * labelCount, to * labelCount);
        return new Dataset(name + "[" + from + ":" + to + "]", task, to - from, featureCount, labelCount, x, y);
    }

    /**
     * Returns the given examples, in the given order.
     *
     * @param indices examples to take, each {@code 0 <= i < size()}
     * @return a new dataset
     */
    public Dataset select(int... indices) {
        Objects.requireNonNull(indices, "indices");
        return select(indices, name + " select(" + indices.length + ")");
    }

    /** {@link #select(int...)} under a name the caller chose. */
    Dataset select(int[] indices, String newName) {
        float[] x = new float[indices.length * featureCount];
        float[] y = new float[indices.length * labelCount];
        for (int i = 0; i < indices.length; i++) {
            int src = Objects.checkIndex(indices[i], size);
            System.arraycopy(features, src * featureCount, x, i * featureCount, featureCount);
            System.arraycopy(labels, src * labelCount, y, i * labelCount, labelCount);
        }
        return new Dataset(newName, task, indices.length, featureCount, labelCount, x, y);
    }

    /**
     * Draws {@code k} distinct examples at random, reproducibly: the same seed gives the same
     * examples in the same order.
     *
     * @param k how many, {@code 0 <= k <= size()}
     * @param seed the random seed
     * @return a new dataset of {@code k} examples
     */
    public Dataset sample(int k, long seed) {
        if (k < 0 || k > size) {
            throw new IllegalArgumentException("k must be in 0.." + size + " (the dataset's size), but was " + k);
        }
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(size - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return select(java.util.Arrays.copyOf(order, k), name + " sample(" + k + ", seed=" + seed + ")");
    }

    /**
     * Returns the SHA-256 of the content (shape, features and targets, and the task when it is
     * {@link Task#REGRESSION}), in lowercase hex. Two datasets with the same digest hold the same
     * numbers in the same order for the same task.
     *
     * @return 64 hex digits
     */
    public String digest() {
        String d = digest;
        if (d == null) {
            d = computeDigest();
            digest = d;
        }
        return d;
    }

    private String computeDigest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("epochflux-dataset-v1".getBytes(StandardCharsets.US_ASCII));
            if (task == Task.REGRESSION) {
                // only regression is marked: classification keeps the digest it had before tasks
                // existed, so the digests that past runs recorded still match their datasets
                sha.update("task=regression".getBytes(StandardCharsets.US_ASCII));
            }
            ByteBuffer header = ByteBuffer.allocate(12).putInt(size).putInt(featureCount).putInt(labelCount);
            sha.update(header.array());
            update(sha, features);
            update(sha, labels);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void update(MessageDigest sha, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        for (float v : values) {
            if (!buffer.hasRemaining()) {
                sha.update(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            buffer.putFloat(v);
        }
        sha.update(buffer.array(), 0, buffer.position());
    }

    Dataset rename(String newName) {
        return new Dataset(newName, task, size, featureCount, labelCount, features, labels);
    }

    /** The same targets and task with other features, which the caller hands over and never touches again. */
    Dataset withFeatures(String newName, float[] newFeatures) {
        if (newFeatures.length != features.length) {
            throw new IllegalArgumentException("newFeatures.length must be " + features.length + ", but was "
                    + newFeatures.length);
        }
        return new Dataset(newName, task, size, featureCount, labelCount, newFeatures, labels);
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + size + " x " + featureCount + " -> " + labelCount
                + (task == Task.REGRESSION ? " regression" : "") + "]";
    }
}
