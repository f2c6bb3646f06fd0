package io.epochflux.cli;

import io.epochflux.data.CsvTable;
import io.epochflux.data.Dataset;
import io.epochflux.data.Split;
import io.epochflux.data.Standardization;
import io.epochflux.data.Task;
import io.epochflux.report.HistoryCsv;
import io.epochflux.report.RunReport;
import io.epochflux.train.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --csv FILE --label COLUMN}: the real tables of src/test/resources/tabular, with early stopping. */
class TrainTableCommandTest {

    private static final Path TABLES = Path.of("src/test/resources/tabular");
    private static final List<String> SETTINGS = List.of("--hidden", "16", "--optimizer", "adam", "--lr", "0.01",
            "--batch-size", "16", "--epochs", "500", "--patience", "20", "--restore-best-weights");

    @TempDir
    Path dir;

    private Cli train(Path out, String... args) {
        return train(out, SETTINGS, args);
    }

    private Cli train(Path out, List<String> settings, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("train"));
        all.addAll(List.of(args));
        all.addAll(settings);
        all.addAll(List.of("--out", out.toString(), "-q"));
        return Cli.run(all.toArray(String[]::new));
    }

    @ParameterizedTest
    @CsvSource({"iris.csv, species, 0.90", "wine.csv, cultivar, 0.90", "breast_cancer.csv, diagnosis, 0.93"})
    void aClassificationTableTrainsWithEarlyStoppingToItsTestAccuracy(String file, String label, double least)
            throws IOException {
        Path out = dir.resolve(file);
        Cli cli = train(out, "--csv", TABLES.resolve(file).toString(), "--label", label);
        assertEquals(0, cli.exitCode, cli.toString());
        RunReport report = RunReport.read(out.resolve("report.json"));
        assertEquals(RunReport.Outcome.STOPPED_EARLY, report.outcome(), report.toJson().toString());
        assertTrue(report.testAccuracy().getAsDouble() >= least, file + ": test accuracy " + report.testAccuracy());
        Map<?, ?> table = (Map<?, ?>) report.configuration().get("table");
        assertEquals(label, table.get("label"));
        assertEquals("classification", table.get("task"));
        assertEquals(HistoryCsv.STANDARD_COLUMNS, List.of(Files.readAllLines(out.resolve("history.csv")).get(0).split(",")));
        Standardization z = Standardization.fromJson(Files.readString(out.resolve("standardization.json")));
        assertEquals(z.featureNames(), table.get("features"));
    }

    @Test
    void diabetesRegressesToATestErrorWellBelowPredictingTheMean() throws IOException {
        Path out = dir.resolve("diabetes");
        Cli cli = train(out, List.of("--hidden", "16", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "16",
                "--epochs", "2000", "--patience", "50", "--restore-best-weights"),
                "--csv", TABLES.resolve("diabetes.csv").toString(), "--label", "progression", "--task", "regression");
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains(" - mae "), cli.out);
        RunReport report = RunReport.read(out.resolve("report.json"));
        double mse = report.testLoss().getAsDouble();
        assertTrue(report.testMae().isPresent() && report.testAccuracy().isEmpty(), report.toJson().toString());

        // the same split the command made: predicting the training mean for every test row
        Dataset table = CsvTable.builder("progression").task(Task.REGRESSION).build()
                .read(TABLES.resolve("diabetes.csv")).dataset();
        Split split = Split.byFractions(table, 0.6, 0.2, 0.2, 10);
        double mean = 0;
        for (float y : split.train().labelArray()) {
            mean += y;
        }
        mean /= split.train().size();
        double baseline = 0;
        for (float y : split.test().labelArray()) {
            baseline += (y - mean) * (y - mean);
        }
        baseline /= split.test().size();
        assertTrue(mse <= 0.7 * baseline, "test MSE " + mse + " against the mean's " + baseline);

        List<String> header = List.of(Files.readAllLines(out.resolve("history.csv")).get(0).split(","));
        assertEquals(HistoryCsv.REGRESSION_COLUMNS, header);
        History history = HistoryCsv.read(out.resolve("history.csv"));
        assertTrue(history.metricNames().contains("val_mae"), history.metricNames().toString());
        assertTrue(Files.size(out.resolve("history.png")) > 10_000);
    }

    @Test
    void refusesAMissingLabelAndTheImageOptionsAndABadFileNamingRowAndColumn() throws IOException {
        Path iris = TABLES.resolve("iris.csv");
        Cli noLabel = Cli.run("train", "--csv", iris.toString());
        assertEquals(2, noLabel.exitCode, noLabel.toString());
        assertTrue(noLabel.err.contains("--label must name the column to predict"), noLabel.err);

        Cli images = Cli.run("train", "--csv", iris.toString(), "--label", "species", "--train-size", "100");
        assertEquals(2, images.exitCode, images.toString());
        assertTrue(images.err.contains("--train-size must not be given with --csv"), images.err);

        Cli wrongColumn = Cli.run("train", "--csv", iris.toString(), "--label", "colour");
        assertEquals(2, wrongColumn.exitCode, wrongColumn.toString());
        assertTrue(wrongColumn.err.contains("colour"), wrongColumn.err);

        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "a,b,label\n1,2,x\n3,oops,y\n");
        Cli text = Cli.run("train", "--csv", bad.toString(), "--label", "label");
        assertEquals(2, text.exitCode, text.toString());
        assertTrue(text.err.contains("line 3") && text.err.contains("\"b\"") && text.err.contains("oops"), text.err);

        Cli split = Cli.run("train", "--csv", iris.toString(), "--label", "species", "--split", "0.5,0.5");
        assertEquals(2, split.exitCode, split.toString());
        assertTrue(split.err.contains("--split must be three fractions"), split.err);
    }
}
