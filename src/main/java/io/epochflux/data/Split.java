package io.epochflux.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The three datasets of an experiment: what the model trains on, what early stopping watches,
 * and what the final evaluation uses.
 *
 * @param train the training examples
 * @param validation the validation examples, evaluated after every epoch
 * @param test the held-out examples, evaluated once at the end
 */
public record Split(Dataset train, Dataset validation, Dataset test) {

    /**
     * Checks that all three are present and have the same shape and task.
     *
     * @param train the training examples
     * @param validation the validation examples
     * @param test the held-out examples
     */
    public Split {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(test, "test");
        for (Dataset d : new Dataset[] {validation, test}) {
            if (d.featureCount() != train.featureCount() || d.labelCount() != train.labelCount()) {
                throw new IllegalArgumentException("every part of a split must have the training set's shape "
                        + train.featureCount() + " -> " + train.labelCount() + ", but " + d.name() + " has "
                        + d.featureCount() + " -> " + d.labelCount());
            }
            if (d.task() != train.task()) {
                throw new IllegalArgumentException("every part of a split must have the training set's task "
                        + train.task() + ", but " + d.name() + " is " + d.task());
            }
        }
    }

    /**
     * Splits a dataset into train, validation and test parts by fractions, reproducibly: the same
     * dataset, fractions and seed give the same three parts, in the same order.
     *
     * <p>A {@link Task#CLASSIFICATION} dataset is split by class (stratified): each class's rows,
     * in the dataset's order, are shuffled with the seed's random stream and cut at
     * {@code round(n x train)} and {@code round(n x (train + validation))}, so each part holds
     * every class in about the dataset's proportions, the three sizes add up to the class's
     * {@code n}, and each is within one row of {@code n} times its fraction. A
     * {@link Task#REGRESSION} dataset is cut the same way as one group. Each part's rows are then
     * shuffled, so the classes are interleaved. A part may be empty when its fraction (or a class)
     * is small.
     *
     * @param data the examples to split
     * @param train the training part's fraction, {@code 0 < train <= 1}
     * @param validation the validation part's fraction, {@code 0 <= validation <= 1}
     * @param test the test part's fraction, {@code 0 <= test <= 1}
     * @param seed the seed of the shuffles
     * @return the three parts, named after {@code data} and how they were made
     *         ({@code iris.csv stratified(0.6, 0.2, 0.2, seed=7)[train]})
     * @throws IllegalArgumentException when a fraction is out of its range or they do not add up to
     *         1 within 1e-9
     */
    public static Split byFractions(Dataset data, double train, double validation, double test, long seed) {
        Objects.requireNonNull(data, "data");
        if (!(train > 0 && train <= 1)) {
            throw new IllegalArgumentException("train must be in (0, 1], but was " + train);
        }
        checkFraction("validation", validation);
        checkFraction("test", test);
        double sum = train + validation + test;
        if (!(Math.abs(sum - 1) <= 1e-9)) {
            throw new IllegalArgumentException("train + validation + test must be 1 within 1e-9, but was " + sum
                    + " (" + train + " + " + validation + " + " + test + ")");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[][] groups = data.task() == Task.CLASSIFICATION ? byClass(data) : new int[][] {range(data.size())};
        int[][] parts = {new int[data.size()], new int[data.size()], new int[data.size()]};
        int[] sizes = new int[3];
        for (int[] group : groups) {
            shuffle(group, group.length, random);
            int n = group.length;
            int trainEnd = (int) Math.round(n * train);
            int validationEnd = Math.max(trainEnd, Math.min(n, (int) Math.round(n * (train + validation))));
            int[] ends = {trainEnd, validationEnd, n};
            int from = 0;
            for (int p = 0; p < 3; p++) {
                System.arraycopy(group, from, parts[p], sizes[p], ends[p] - from);
                sizes[p] += ends[p] - from;
                from = ends[p];
            }
        }
        String how = data.name() + (data.task() == Task.CLASSIFICATION ? " stratified(" : " shuffled(") + train
                + ", " + validation + ", " + test + ", seed=" + seed + ")";
        String[] names = {"[train]", "[validation]", "[test]"};
        Dataset[] made = new Dataset[3];
        for (int p = 0; p < 3; p++) {
            shuffle(parts[p], sizes[p], random);
            made[p] = data.select(Arrays.copyOf(parts[p], sizes[p]), how + names[p]);
        }
        return new Split(made[0], made[1], made[2]);
    }

    private static void checkFraction(String name, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], but was " + fraction);
        }
    }

    /** Each class's rows, in the dataset's order. */
    private static int[][] byClass(Dataset data) {
        int[] classes = new int[data.size()];
        int[] counts = new int[data.labelCount()];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = data.classOf(i);
            counts[classes[i]]++;
        }
        int[][] groups = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            groups[c] = new int[counts[c]];
        }
        int[] filled = new int[counts.length];
        for (int i = 0; i < classes.length; i++) {
            groups[classes[i]][filled[classes[i]]++] = i;
        }
        return groups;
    }

    private static int[] range(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    /** Fisher-Yates over the first {@code n} entries. */
    private static void shuffle(int[] values, int n, SplittableRandom random) {
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
