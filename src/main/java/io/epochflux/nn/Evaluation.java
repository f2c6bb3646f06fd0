package io.epochflux.nn;

import io.epochflux.data.Task;

import java.util.Objects;

/**
 * Loss and a metric over a dataset, as Keras' {@code evaluate} reports them: means over the
 * examples. A classification reports accuracy (and a NaN mean absolute error), a regression the
 * mean absolute error (and a NaN accuracy); {@link #metric()} is the one that applies.
 *
 * @param loss the mean loss per example
 * @param accuracy the fraction of examples whose largest output is their class; NaN for a regression
 * @param examples how many examples were evaluated
 * @param task what the targets are, which decides the metric
 * @param mae the mean over examples and outputs of {@code |prediction - target|}; NaN for a classification
 */
public record Evaluation(double loss, double accuracy, int examples, Task task, double mae) {

    /** The metric of a classification. */
    public static final String ACCURACY = "accuracy";
    /** The metric of a regression. */
    public static final String MAE = "mae";

    /**
     * Checks the arguments.
     *
     * @param loss the mean loss per example
     * @param accuracy the fraction classified right
     * @param examples how many examples, {@code >= 0}
     * @param task classification or regression
     * @param mae the mean absolute error
     */
    public Evaluation {
        Objects.requireNonNull(task, "task");
        if (examples < 0) {
            throw new IllegalArgumentException("examples must be >= 0, but was " + examples);
        }
    }

    /**
     * A classification's figures.
     *
     * @param loss the mean loss per example
     * @param accuracy the fraction classified right
     * @param examples how many examples, {@code >= 0}
     */
    public Evaluation(double loss, double accuracy, int examples) {
        this(loss, accuracy, examples, Task.CLASSIFICATION, Double.NaN);
    }

    /**
     * A regression's figures.
     *
     * @param loss the mean loss per example (the mean squared error)
     * @param mae the mean absolute error
     * @param examples how many examples, {@code >= 0}
     * @return the evaluation
     */
    public static Evaluation regression(double loss, double mae, int examples) {
        return new Evaluation(loss, Double.NaN, examples, Task.REGRESSION, mae);
    }

    /**
     * Names the metric that applies to a task.
     *
     * @param task classification or regression
     * @return {@value #ACCURACY} or {@value #MAE}
     */
    public static String metricName(Task task) {
        return Objects.requireNonNull(task, "task") == Task.REGRESSION ? MAE : ACCURACY;
    }

    /**
     * Names the metric that applies.
     *
     * @return {@value #ACCURACY} or {@value #MAE}
     */
    public String metricName() {
        return metricName(task);
    }

    /**
     * Returns the metric that applies.
     *
     * @return the accuracy of a classification, the mean absolute error of a regression
     */
    public double metric() {
        return task == Task.REGRESSION ? mae : accuracy;
    }

    /**
     * Names the figures that apply.
     *
     * @return {@code Evaluation[loss=..., accuracy=..., examples=...]}, or with {@code mae} for a regression
     */
    @Override
    public String toString() {
        return "Evaluation[loss=" + loss + ", " + metricName() + "=" + metric() + ", examples=" + examples + "]";
    }
}
