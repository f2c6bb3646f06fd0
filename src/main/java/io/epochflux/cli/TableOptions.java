package io.epochflux.cli;

import io.epochflux.data.CsvFormatException;
import io.epochflux.data.CsvTable;
import io.epochflux.data.Split;
import io.epochflux.data.Standardization;
import io.epochflux.data.Table;
import io.epochflux.data.Task;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code train --csv FILE --label COLUMN}: a table instead of MNIST-style images. */
final class TableOptions {

    /** The data options a table replaces. */
    private static final List<String> IMAGE_ONLY = List.of("--data-dir", "--train-size", "--val-size");

    @Option(names = "--csv", paramLabel = "FILE",
            description = {"Train on a CSV table (a header row, RFC 4180 quoting) instead of MNIST-style images: every column"
                    + " but --label is a numeric feature. It is split with the seed into training, validation and test"
                    + " parts (--split), stratified by class, and its features are standardized with the training part's"
                    + " means and deviations (written to standardization.json with --out)."})
    Path csv;

    @Option(names = "--label", paramLabel = "COLUMN",
            description = "The column to predict (with --csv): a class as text or integers, or a number with --task regression.")
    String label;

    @Option(names = "--task", paramLabel = "TASK", defaultValue = "classification",
            description = "classification (softmax over the label's classes, accuracy) or regression (one linear output, mean"
                    + " squared error as the loss, mae as the metric); default: ${DEFAULT-VALUE}.")
    String task;

    @Option(names = "--missing", paramLabel = "POLICY", defaultValue = "fail",
            description = "What an empty, NA or NaN cell does (with --csv): fail (default) or drop (the row is left out).")
    String missing;

    @Option(names = "--split", paramLabel = "TRAIN,VAL,TEST", defaultValue = "0.6,0.2,0.2",
            description = "The table's fractions for training, validation and test (with --csv; default: ${DEFAULT-VALUE}).")
    String split;

    private Table table;
    private Standardization standardization;

    /** @return whether a table was asked for */
    boolean given() {
        return csv != null;
    }

    /** @return the task the options ask for */
    Task task(CommandSpec spec) {
        return switch (task.trim().toLowerCase(Locale.ROOT)) {
            case "classification" -> Task.CLASSIFICATION;
            case "regression" -> Task.REGRESSION;
            default -> throw Usage.error(spec, "--task must be classification or regression, but was '" + task + "'");
        };
    }

    /**
     * Checks the options, reads the table, splits it and standardizes it; bad files are usage
     * errors naming the file, the row and the column.
     */
    Split load(CommandSpec spec, long seed) {
        for (String option : IMAGE_ONLY) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw Usage.error(spec, option + " must not be given with --csv: the table is split by --split, but it was");
            }
        }
        if (label == null || label.isBlank()) {
            throw Usage.error(spec, "--label must name the column to predict when --csv is given, but was not given");
        }
        if (!Files.isRegularFile(csv)) {
            throw Usage.error(spec, "--csv must be an existing file, but " + csv + (Files.exists(csv) ? " is a directory"
                    : " does not exist"));
        }
        CsvTable.MissingValues policy = switch (missing.trim().toLowerCase(Locale.ROOT)) {
            case "fail" -> CsvTable.MissingValues.FAIL;
            case "drop" -> CsvTable.MissingValues.DROP_ROW;
            default -> throw Usage.error(spec, "--missing must be fail or drop, but was '" + missing + "'");
        };
        double[] fractions = fractions(spec);
        try {
            table = CsvTable.builder(label).task(task(spec)).missingValues(policy).build().read(csv);
        } catch (CsvFormatException e) {
            throw Usage.error(spec, "--csv " + e.getMessage());
        } catch (IOException e) {
            throw Usage.error(spec, "--csv must be a readable file, but " + csv + " cannot be read: " + Usage.reason(e));
        }
        Split parts;
        try {
            parts = Split.byFractions(table.dataset(), fractions[0], fractions[1], fractions[2], seed);
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--split " + split + ": " + e.getMessage());
        }
        if (parts.validation().size() == 0 || parts.test().size() == 0) {
            throw Usage.error(spec, String.format(Locale.ROOT, "--split must leave at least 1 validation and 1 test row, but"
                    + " %s of %,d rows leaves %d and %d", split, table.dataset().size(), parts.validation().size(),
                    parts.test().size()));
        }
        standardization = Standardization.fit(parts.train(), table.featureNames());
        return standardization.apply(parts);
    }

    private double[] fractions(CommandSpec spec) {
        String[] parts = split.split(",", -1);
        if (parts.length != 3) {
            throw Usage.error(spec, "--split must be three fractions TRAIN,VAL,TEST, but was '" + split + "'");
        }
        double[] f = new double[3];
        for (int i = 0; i < 3; i++) {
            try {
                f[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw Usage.error(spec, "--split fractions must be numbers, but was '" + parts[i].trim() + "' in '" + split + "'");
            }
        }
        return f;
    }

    /** @return the table read, once {@link #load} has run */
    Optional<Table> table() {
        return Optional.ofNullable(table);
    }

    /** @return the standardization fitted on the training part, once {@link #load} has run */
    Optional<Standardization> standardization() {
        return Optional.ofNullable(standardization);
    }
}
