package io.epochflux.nn;

/**
 * Loss and accuracy over a dataset, as Keras' {@code evaluate} reports them: means over the
 * examples.
 *
 * @param loss the mean loss per example
 * @param accuracy the fraction of examples whose largest output is their class
 * @param examples how many examples were evaluated
 */
public record Evaluation(double loss, double accuracy, int examples) {

    /**
     * Checks the arguments.
     *
     * @param loss the mean loss per example
     * @param accuracy the fraction classified right
     * @param examples how many examples, {@code >= 0}
     */
    public Evaluation {
        if (examples < 0) {
            throw new IllegalArgumentException("examples must be >= 0, but was " + examples);
        }
    }
}
