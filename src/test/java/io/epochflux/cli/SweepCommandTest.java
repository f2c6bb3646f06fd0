package io.epochflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepCommandTest {

    @TempDir
    Path dir;

    private static final String[] SMALL = {"--train-size", "100", "--val-size", "50", "--epochs", "8",
        "--no-early-stopping", "--hidden", "2,4-4", "--lr", "0.01,0.1", "--concurrency", "2"};

    private static String[] with(String... more) {
        List<String> a = new ArrayList<>(List.of("sweep"));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void runsTheGridPrintsTheTableBestFirstAndWritesItsFiles() throws IOException {
        Path out = dir.resolve("s");
        Cli cli = Cli.run(with("--pruner", "sh", "--min-epochs", "2", "--reduction-factor", "2", "--out", out.toString()));
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("Sweep sweep: 4 trials, pruner successive-halving(minEpochs=2, reductionFactor=2)"
                + " (rungs at epochs [2, 4])"), cli.out);
        assertTrue(cli.out.contains("[trial-001] started: hidden=2 relu sgd lr=0.1 batch=10"), cli.out);
        assertTrue(cli.out.contains("PRUNED at rung 0 (epoch 2)"), cli.out);
        assertTrue(cli.out.contains("4 of 4 trials finished, 3 pruned;"), cli.out);
        List<String> csv = Files.readAllLines(out.resolve("trials.csv"));
        assertEquals(String.join(",", SweepFiles.CSV_COLUMNS), csv.get(0));
        assertEquals(5, csv.size());
        double previous = 0;
        for (String row : csv.subList(1, csv.size())) {
            double best = Double.parseDouble(row.split(",")[11]);
            assertTrue(best >= previous, "best first: " + csv);
            previous = best;
        }
        assertTrue(csv.get(1).endsWith(",MAX_EPOCHS,"), csv.get(1));
        assertTrue(csv.stream().anyMatch(r -> r.contains("4-4")), csv.toString());
        JsonNode best = new ObjectMapper().readTree(out.resolve("best.json").toFile());
        assertEquals(csv.get(1).split(",")[1], best.path("trial").asText());
        List<String> args = new ArrayList<>(List.of("train"));
        best.path("train_args").forEach(a -> args.add(a.asText()));
        assertTrue(args.contains("--no-early-stopping") && args.contains("--seed"), args.toString());
        Main.commandLine().parseArgs(args.toArray(String[]::new)); // best.json's options are train's
        assertTrue(Files.size(out.resolve("sweep.png")) > 10_000);
        assertTrue(Files.exists(out.resolve("trials/trial-000/history.csv")));
        assertTrue(Files.exists(out.resolve("trials/trial-003/trial.json")));
    }

    @Test
    void resumesKeepingFinishedTrialsAndMergesShards() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, Cli.run(with("--shard", "0/2", "--out", a.toString(), "-q")).exitCode);
        Cli second = Cli.run(with("--shard", "1/2", "--out", b.toString(), "-q"));
        assertEquals(0, second.exitCode, second.toString());
        assertTrue(second.out.contains("Sweep sweep: 2 trials (shard 1/2 of 4)"), second.out);
        // trial-003 "interrupted": its files gone; --resume keeps trial-001 and reruns trial-003
        Files.delete(b.resolve("trials/trial-003/trial.json"));
        Cli resumed = Cli.run(with("--shard", "1/2", "--out", b.toString(), "--resume"));
        assertEquals(0, resumed.exitCode, resumed.toString());
        assertTrue(resumed.out.contains("resuming: 1 finished trials kept"), resumed.out);
        assertTrue(resumed.out.contains("[trial-003] started") && !resumed.out.contains("[trial-001] started"), resumed.out);
        assertTrue(resumed.out.contains("[trial-001] kept after 8 epochs"), resumed.out);

        Cli other = Cli.run(with("--shard", "1/2", "--out", b.toString(), "--resume", "--seed", "11"));
        assertEquals(2, other.exitCode, other.toString());
        assertTrue(other.err.contains("--resume must continue the same sweep, but " + b + "/sweep.json has seed 10 and"
                + " this command 11"), other.err);

        Path merged = dir.resolve("m");
        Cli merge = Cli.run("sweep", "merge", a.toString(), b.toString(), "--out", merged.toString());
        assertEquals(0, merge.exitCode, merge.toString());
        assertTrue(merge.out.contains("4 trials from 2 shards"), merge.out);
        assertEquals(5, Files.readAllLines(merged.resolve("trials.csv")).size());
        JsonNode best = new ObjectMapper().readTree(merged.resolve("best.json").toFile());
        assertTrue(best.path("command").asText().contains("--epochs 8 --seed 10"), best.toString());
        assertTrue(merge.out.contains("found 4 of the 4 trials the sweep has"), merge.out);
        Cli twice = Cli.run("sweep", "merge", a.toString(), a.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, twice.exitCode);
        assertTrue(twice.err.contains("DIR must hold each shard once, but shard 0/2 is both"), twice.err);

        // merge refuses shards of another sweep, names a missing shard, and keeps --out outside the shards
        Path c = dir.resolve("c");
        assertEquals(0, Cli.run(with("--shard", "1/2", "--out", c.toString(), "--seed", "11", "-q")).exitCode);
        Cli otherSweep = Cli.run("sweep", "merge", a.toString(), c.toString(), "--out", dir.resolve("y").toString());
        assertEquals(2, otherSweep.exitCode, otherSweep.toString());
        assertTrue(otherSweep.err.contains("DIR must hold shards of one sweep, but " + c + " has seed 11 where " + a + " has 10"),
                otherSweep.err);
        Cli missing = Cli.run("sweep", "merge", a.toString(), "--out", dir.resolve("z").toString());
        assertEquals(2, missing.exitCode, missing.toString());
        assertTrue(missing.err.contains("but shard 1/2 is missing"), missing.err);
        Cli partial = Cli.run("sweep", "merge", a.toString(), "--partial", "--out", dir.resolve("z").toString());
        assertEquals(0, partial.exitCode, partial.toString());
        assertTrue(partial.out.contains("merging without shard 1/2") && partial.out.contains("found 2 of the 4 trials the sweep has"
                + " (2 missing)"), partial.out);
        Cli inside = Cli.run("sweep", "merge", a.toString(), b.toString(), "--out", a.resolve("merged").toString());
        assertEquals(2, inside.exitCode, inside.toString());
        assertTrue(inside.err.contains("--out must be outside the shards' directories"), inside.err);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--hidden 64-x | --hidden must be widths >= 1 joined by '-' (such as 64-32), but was '64-x'",
        "--hidden 0 | --hidden must be widths >= 1 joined by '-' (such as 64-32), but was '0'",
        "--lr 0.1,0 | --lr must be > 0, but was 0.0",
        "--optimizer sgd,rmsprop | --optimizer must be sgd or adam, but was 'rmsprop'",
        "--activation relu,softmax | --activation must be relu, sigmoid, tanh or linear, but was 'softmax'",
        "--momentum 1 | --momentum must be >= 0 and < 1, but was 1.0",
        "--batch-size 0 | --batch-size must be >= 1, but was 0",
        "--random 0 | --random must be >= 1, but was 0",
        "--epochs 0 | --epochs must be >= 1, but was 0",
        "--concurrency 0 | --concurrency must be >= 1, but was 0",
        "--shard 2/2 | --shard must be I/N with 0 <= I < N (such as 0/4), but was '2/2'",
        "--shard one | --shard must be I/N with 0 <= I < N (such as 0/4), but was 'one'",
        "--pruner asha --reduction-factor 1 | --reduction-factor must be >= 2, but was 1",
        "--pruner asha --min-epochs 300 --epochs 300 | --min-epochs must be < --epochs (300) for a rung to prune at, but was 300",
        "--pruner asha --startup-trials 3 | --startup-trials applies to --pruner median, but the pruner is asha",
        "--pruner median --min-epochs 3 | --min-epochs applies to --pruner sh, asha or hyperband, but the pruner is median",
        "--pruner median --interval-steps 0 | --interval-steps must be >= 1, but was 0",
        "--resume | --resume continues the sweep in --out, but no --out was given",
        "--time-budget 1m | --time-budget applies to train, but this is sweep: drop it",
        "--search-patience 0,30 --no-early-stopping | --search-patience searches early stopping's patience, but --no-early-stopping turns it off: drop one or the other",
        "--pruner fastest | Invalid value for option '--pruner': expected one of [none, median, sh, asha, hyperband] (case-insensitive) but was 'fastest'",
        "--lr fast | Invalid value for option '--lr' (RATE): 'fast' is not a double"})
    void refusesABadValueWithOneLineNamingOptionValueAndRule(String args, String message) {
        List<String> a = new ArrayList<>(List.of("sweep", "--train-size", "50", "--val-size", "20"));
        a.addAll(List.of(args.trim().split(" ")));
        Cli cli = Cli.run(a.toArray(String[]::new));
        assertEquals(2, cli.exitCode, cli.toString());
        assertEquals(1, cli.err.lines().count(), cli.err);
        assertEquals("epochflux sweep: " + message + " (see --help)", cli.err.strip());
    }
}
