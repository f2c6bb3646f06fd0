package io.epochflux.nn.internal;

/**
 * Running sums over the examples seen so far: loss, correct predictions, count. Keras reports
 * the training figures of an epoch as these running means.
 */
public final class Tally {

    private double lossSum;
    private long correct;
    private long examples;

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
    public long examples() {
        return examples;
    }
}
