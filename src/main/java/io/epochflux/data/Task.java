package io.epochflux.data;

/**
 * What a dataset's targets mean, and so how its examples are compared and split.
 */
public enum Task {

    /**
     * One-hot targets, one column per class: {@link Dataset#classOf(int)} is the example's class,
     * and a split by fractions is stratified by class.
     */
    CLASSIFICATION,

    /**
     * Numeric targets, predicted as they are: there are no classes, and a split by fractions is a
     * plain shuffle.
     */
    REGRESSION
}
