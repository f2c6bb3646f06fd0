package io.epochflux.data;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A table read from a file ({@link CsvTable}): its examples as a {@link Dataset}, and the names
 * that say what the dataset's columns were.
 *
 * @param dataset the examples: one feature per column but the label, in the file's order; one-hot
 *        targets in {@link #classNames()}'s order for {@link Task#CLASSIFICATION}, the label's
 *        value as the one target for {@link Task#REGRESSION}
 * @param featureNames the feature columns' names, in the file's order
 * @param labelName the label column's name
 * @param classNames the classes in the order of the dataset's target columns; empty for
 *        {@link Task#REGRESSION}
 * @param droppedRows the data rows left out for a missing or non-finite value
 *        ({@link CsvTable.MissingValues#DROP_ROW}); 0 otherwise
 */
public record Table(Dataset dataset, List<String> featureNames, String labelName, List<String> classNames,
                    int droppedRows) {

    /**
     * Checks that the names match the dataset's columns; the lists are copied.
     *
     * @param dataset the examples
     * @param featureNames one distinct name per feature column
     * @param labelName the label column's name, not among the features
     * @param classNames one distinct name per target column for classification; none for regression
     * @param droppedRows {@code >= 0}
     */
    public Table {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(labelName, "labelName");
        featureNames = List.copyOf(Objects.requireNonNull(featureNames, "featureNames"));
        classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        if (featureNames.size() != dataset.featureCount()) {
            throw new IllegalArgumentException("featureNames must have one name per feature column, "
                    + dataset.featureCount() + ", but had " + featureNames.size());
        }
        requireDistinct("featureNames", featureNames);
        if (featureNames.contains(labelName)) {
            throw new IllegalArgumentException("labelName must not be a feature's name, but was \"" + labelName + "\"");
        }
        if (dataset.task() == Task.CLASSIFICATION && classNames.size() != dataset.labelCount()) {
            throw new IllegalArgumentException("classNames must have one name per target column, "
                    + dataset.labelCount() + ", but had " + classNames.size());
        }
        if (dataset.task() == Task.REGRESSION && !classNames.isEmpty()) {
            throw new IllegalArgumentException("classNames must be empty for a REGRESSION dataset, but had "
                    + classNames.size());
        }
        requireDistinct("classNames", classNames);
        if (droppedRows < 0) {
            throw new IllegalArgumentException("droppedRows must be >= 0, but was " + droppedRows);
        }
    }

    private static void requireDistinct(String what, List<String> names) {
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (!seen.add(name)) {
                throw new IllegalArgumentException(what + " must be distinct, but \"" + name + "\" appears twice");
            }
        }
    }

    /**
     * Returns what the label column holds.
     *
     * @return the dataset's task
     */
    public Task task() {
        return dataset.task();
    }
}
