package io.epochflux.nn.internal;

/**
 * Running sums over the examples seen so far: loss, correct predictions, count. Keras reports
 * the training figures of an epoch as these running means.
 */
public final class Tally {

    private double lossSum;
    private long correct;
    private long examples;
    private double absoluteErrorSum;

    /** Starts from zero. */
    public Tally() {
    }

    /**
     * Adds a batch.
     *
     * @param batchLossSum the sum of the batch's per-example losses
     * @param batchCorrect how many of its examples were classified right
     * @param batchExamples how many examples it had
     */
    public void add(double batchLossSum, long batchCorrect, long batchExamples) {
        lossSum += batchLossSum;
        correct += batchCorrect;
        examples += batchExamples;
    }

    /** Forgets everything. */
    public void reset() {
        lossSum = 0;
        correct = 0;
        examples = 0;
        absoluteErrorSum = 0;
    }

    /** @return the mean loss per example, NaN before the first example */
    public double meanLoss() {
        return examples == 0 ? Double.NaN : lossSum / examples;
    }

    /** @return the fraction classified right, NaN before the first example */
    public double accuracy() {
        return examples == 0 ? Double.NaN : (double) correct / examples;
    }

    /** @return the number of examples added */
    /**
     * Adds a batch's absolute errors, for a regression: each example's mean over its outputs of
     * {@code |prediction - target|}, summed over the batch's examples (counted by {@link #add}).
     *
     * @param batchAbsoluteErrorSum the sum
     */
    public void addAbsoluteError(double batchAbsoluteErrorSum) {
        absoluteErrorSum += batchAbsoluteErrorSum;
    }

    /**
     * Returns Keras' {@code mae} of the examples seen.
     *
     * @return the mean absolute error; NaN before any example
     */
    public double meanAbsoluteError() {
        return examples == 0 ? Double.NaN : absoluteErrorSum / examples;
    }

    /**
     * The figures as an evaluation of a task.
     *
     * @param task what the targets are
     * @return accuracy for classes, mean absolute error for regression
     */
    public io.epochflux.nn.Evaluation evaluation(io.epochflux.data.Task task) {
        int n = (int) Math.min(Integer.MAX_VALUE, examples);
        return task == io.epochflux.data.Task.REGRESSION
                ? io.epochflux.nn.Evaluation.regression(meanLoss(), meanAbsoluteError(), n)
                : new io.epochflux.nn.Evaluation(meanLoss(), accuracy(), n);
    }

    public long examples() {
        return examples;
    }
}
