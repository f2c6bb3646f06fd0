package io.epochflux.data;

/** What a dataset's targets are: one-hot classes, or numbers to predict. */
public enum Task {
    /** One-hot targets, one column a class; the metric is accuracy. */
    CLASSIFICATION,
    /** Numeric targets; the metric is the mean absolute error. */
    REGRESSION
}
