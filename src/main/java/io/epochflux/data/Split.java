package io.epochflux.data;

import java.util.Objects;

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
}
