package io.epochflux.cli;

import io.epochflux.report.HistoryCsv;
import io.epochflux.report.RunReport;
import io.epochflux.train.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --reduce-lr-on-plateau} and {@code --lr-schedule}. */
class LearningRateOptionsTest {

    @TempDir
    Path dir;

    @Test
    void aScheduleSetsEachEpochsRateAndTheFilesShowIt() throws Exception {
        Path out = dir.resolve("run");
        Cli cli = Cli.run("train", "--epochs", "4", "--no-early-stopping", "--lr-schedule", "step:0.5/2", "--out", out.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("  learning rate: LearningRateSchedule(step, factor=0.5, every=2)"), cli.out);
        assertTrue(cli.out.lines().anyMatch(l -> l.startsWith("Epoch 4/4") && l.endsWith(" - learning_rate: 0.0050")), cli.out);
        History history = HistoryCsv.read(out.resolve("history.csv"));
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy,learning_rate",
                Files.readAllLines(out.resolve("history.csv")).get(0));
        double[] rates = history.series("learning_rate");
        assertEquals((double) 0.01f, rates[0]);
        assertEquals((double) 0.01f, rates[1]);
        assertEquals((double) 0.005f, rates[2]);
        assertEquals((double) 0.005f, rates[3]);
        RunReport report = RunReport.read(out.resolve("report.json"));
        Map<?, ?> section = (Map<?, ?>) report.configuration().get("learning_rate_operator");
        assertEquals("schedule", section.get("operator"), report.configuration().toString());
    }

    @Test
    void reduceLrOnPlateauWithKerasDefaultsAndItsOptions() throws Exception {
        Path out = dir.resolve("plateau");
        Cli cli = Cli.run("train", "--epochs", "12", "--no-early-stopping", "--reduce-lr-on-plateau", "--lr-patience", "1",
                "--lr-factor", "0.5", "--lr-min", "0.004", "--lr-min-delta", "0", "--quiet", "--out", out.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        double[] rates = HistoryCsv.read(out.resolve("history.csv")).series("learning_rate");
        assertEquals((double) 0.01f, rates[0]);
        for (double r : rates) {
            assertTrue(r == (double) 0.01f || r == (double) 0.005f || r == (double) 0.004f, java.util.Arrays.toString(rates));
        }
        Map<?, ?> section = (Map<?, ?>) RunReport.read(out.resolve("report.json")).configuration().get("learning_rate_operator");
        assertEquals("reduce_lr_on_plateau", section.get("operator"));
        assertEquals("val_loss", section.get("monitor"));
        assertEquals(0.5, ((Number) section.get("factor")).doubleValue());
        assertEquals(1, ((Number) section.get("patience")).intValue());
        assertEquals(0, ((Number) section.get("cooldown")).intValue());
    }

    @Test
    void withoutAnOperatorThereIsNoLearningRateColumn() throws Exception {
        Path out = dir.resolve("plain");
        Cli cli = Cli.run("train", "--epochs", "2", "--no-early-stopping", "--quiet", "--out", out.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy", Files.readAllLines(out.resolve("history.csv")).get(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--lr-schedule step:0.5|--lr-schedule must be step:FACTOR/EVERY, exponential:GAMMA or cosine:EPOCHS[/MIN_LR], but was 'step:0.5'",
        "--lr-schedule linear:3|--lr-schedule must be step:FACTOR/EVERY, exponential:GAMMA or cosine:EPOCHS[/MIN_LR], but was 'linear:3'",
        "--lr-schedule step:0.5/0|--lr-schedule step:0.5/0: every must be >= 1, but was 0",
        "--lr-schedule exponential:0|--lr-schedule exponential:0: gamma must be > 0 and finite, but was 0.0",
        "--lr-schedule cosine:0|--lr-schedule cosine:0: epochs must be >= 1, but was 0",
        "--lr-schedule cosine:99999999999|--lr-schedule must be step:FACTOR/EVERY, exponential:GAMMA or cosine:EPOCHS[/MIN_LR] with numbers in range, but was 'cosine:99999999999'",
        "--reduce-lr-on-plateau --lr-schedule exponential:0.9|--reduce-lr-on-plateau and --lr-schedule both set the learning rate: choose one",
        "--lr-patience 3|--lr-patience configures --reduce-lr-on-plateau, which is off: add --reduce-lr-on-plateau or drop it",
        "--lr-factor 0.5 --lr-min 0.001|--lr-factor and --lr-min configure --reduce-lr-on-plateau, which is off: add --reduce-lr-on-plateau or drop them",
        "--reduce-lr-on-plateau --lr-factor 1|--lr-factor must be >= 0 and < 1, but was 1.0",
        "--reduce-lr-on-plateau --lr-patience -1|--lr-patience must be >= 0, but was -1",
        "--reduce-lr-on-plateau --lr-cooldown -1|--lr-cooldown must be >= 0, but was -1",
        "--reduce-lr-on-plateau --lr-min -0.1|--lr-min must be >= 0 and finite, but was -0.1",
        "--reduce-lr-on-plateau --lr-min-delta Infinity|--lr-min-delta must be finite, but was Infinity",
        "--reduce-lr-on-plateau --lr-monitor val_los|--lr-monitor must be one of the metrics a run reports, loss, accuracy, val_loss, val_accuracy, but was val_los",
        "--reduce-lr-on-plateau --lr-mode up|Invalid value for option '--lr-mode'"})
    void badOptionsExitWithTwoAndOneLineNamingOptionValueAndRule(String args, String message) {
        Cli cli = Cli.run(("train " + args).split(" "));
        assertEquals(2, cli.exitCode, cli.toString());
        assertEquals(1, cli.err.lines().count(), cli.err);
        assertTrue(cli.err.contains(message), cli.err);
        assertEquals("", cli.out);
    }

    @Test
    void helpListsTheOptions() {
        Cli help = Cli.run("train", "--help");
        for (String option : new String[] {"--reduce-lr-on-plateau", "--lr-factor", "--lr-patience", "--lr-cooldown", "--lr-min",
            "--lr-min-delta", "--lr-monitor", "--lr-mode", "--lr-schedule"}) {
            assertTrue(help.out.contains(option), option);
        }
    }
}
