package io.epochflux.cli;

import io.epochflux.checkpoint.CheckpointStore;
import io.epochflux.nn.Sequential;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code train} in a real child JVM, killed with SIGKILL during a checkpoint write and again
 * between two writes, then continued with {@code --resume}, ends with exactly the history and
 * the weights of the same run left alone.
 */
class CheckpointResumeTest {

    private static final List<String> RUN = List.of("--epochs", "300", "--lr", "0.05", "--patience", "5", "--restore-best-weights",
            "--checkpoint-every", "3", "--keep-checkpoints", "2", "-q");

    private static Process start(Path log, long pauseMs, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        command.add("-Xmx1g");
        if (pauseMs > 0) {
            command.add("-D" + CheckpointStore.PAUSE_PROPERTY + "=" + pauseMs);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.epochflux.cli.Main");
        command.add("train");
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void finish(Process p, Path log) throws Exception {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("train did not finish: " + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), () -> "exit code; output: " + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** Waits until the checkpoint directory's file names satisfy the condition, then kills the process. */
    private static List<String> killWhen(Process p, Path dir, Predicate<List<String>> when, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<String> seen = names(dir);
            if (when.test(seen)) {
                p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally
                p.waitFor(10, TimeUnit.SECONDS);
                return seen;
            }
            if (!p.isAlive()) {
                fail("train ended before it could be killed: " + read(log));
            }
            Thread.sleep(5);
        }
        p.destroyForcibly();
        fail("the checkpoint directory never reached the state to kill in: " + names(dir));
        return List.of();
    }

    private static long checkpoints(List<String> names) {
        return names.stream().filter(n -> n.matches("epoch-\\d+\\.ckpt")).count();
    }

    private static boolean writing(List<String> names) {
        return names.stream().anyMatch(n -> n.startsWith(".epoch-") && n.endsWith(".tmp"));
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void aRunKilledDuringAndBetweenCheckpointWritesAndResumedEndsExactlyAsTheRunLeftAlone(@TempDir Path tmp)
            throws Exception {
        Path alone = tmp.resolve("alone");
        Path killed = tmp.resolve("killed");
        Path ckpts = killed.resolve(CheckpointRun.DIRECTORY);

        Process reference = start(tmp.resolve("alone.log"), 0, with(RUN, "--out", alone.toString()));

        // 1: killed inside a checkpoint write (the fault hook holds it between the forced temporary file and the rename)
        Process first = start(tmp.resolve("first.log"), 1500, with(RUN, "--out", killed.toString()));
        List<String> atKill = killWhen(first, ckpts, n -> checkpoints(n) >= 1 && writing(n), tmp.resolve("first.log"));
        assertTrue(writing(names(ckpts)), "a temporary file is left by the killed write: " + names(ckpts));
        assertEquals(io.epochflux.report.RunReport.Outcome.RUNNING,
                io.epochflux.report.RunReport.read(killed.resolve("report.json")).outcome(), "the killed run's report says running");
        assertFalse(Files.exists(killed.resolve("model.zip")), "the killed run wrote no final model");

        // 2: resumed, and killed again between two writes after it has written a checkpoint of its own
        long before = checkpoints(atKill);
        Process second = start(tmp.resolve("second.log"), 150, List.of("--resume", killed.toString()));
        List<String> highest = new ArrayList<>();
        killWhen(second, ckpts, n -> {
            String newest = n.stream().filter(x -> x.matches("epoch-\\d+\\.ckpt")).max(String::compareTo).orElse("");
            boolean moved = !atKill.contains(newest) && !newest.isEmpty();
            if (moved && !writing(n)) {
                highest.add(newest);
                return true;
            }
            return false;
        }, tmp.resolve("second.log"));
        assertTrue(read(tmp.resolve("second.log")).contains("resuming from "), read(tmp.resolve("second.log")));
        assertFalse(writing(names(ckpts)), "the resumed run's first write removed the killed write's temporary file");
        assertTrue(before >= 1);

        // 3: resumed to the end
        Process third = start(tmp.resolve("third.log"), 0, List.of("--resume", killed.toString()));
        finish(third, tmp.resolve("third.log"));
        finish(reference, tmp.resolve("alone.log"));
        assertTrue(read(tmp.resolve("third.log")).contains("resuming from "), read(tmp.resolve("third.log")));

        String expected = Files.readString(alone.resolve("history.csv"));
        assertEquals(expected, Files.readString(killed.resolve("history.csv")), "history.csv, bit for bit");
        assertTrue(expected.lines().count() > 10, expected);
        assertArrayEquals(Sequential.load(alone.resolve("model.zip")).snapshot().toArray(),
                Sequential.load(killed.resolve("model.zip")).snapshot().toArray(), "the final weights, bit for bit");
        assertFalse(writing(names(ckpts)), "no temporary file outlives the run: " + names(ckpts));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode stop = json.readTree(alone.resolve("report.json").toFile()).get("stop");
        assertEquals("PATIENCE_EXHAUSTED", stop.get("reason").asText(), "the rule stopped the run: " + stop);
        assertEquals(stop, json.readTree(killed.resolve("report.json").toFile()).get("stop"),
                "the same stop epoch, best epoch and restored weights reported");
    }

    @Test
    void checkpointOptionsAreCheckedBeforeTraining(@TempDir Path tmp) throws Exception {
        Cli noOut = Cli.run("train", "--epochs", "2", "--checkpoint-every", "1");
        assertEquals(2, noOut.exitCode, noOut.toString());
        assertTrue(noOut.err.contains("--checkpoint-every needs --out DIR"), noOut.toString());

        Cli zero = Cli.run("train", "--epochs", "2", "--checkpoint-every", "0", "--out", tmp.resolve("a").toString());
        assertEquals(2, zero.exitCode, zero.toString());
        assertTrue(zero.err.contains("--checkpoint-every must be >= 1, but was 0"), zero.toString());

        Cli keepAlone = Cli.run("train", "--epochs", "2", "--keep-checkpoints", "2");
        assertEquals(2, keepAlone.exitCode, keepAlone.toString());
        assertTrue(keepAlone.err.contains("--keep-checkpoints needs --checkpoint-every"), keepAlone.toString());

        Cli paced = Cli.run("train", "--epochs", "2", "--checkpoint-every", "1", "--out", tmp.resolve("b").toString(),
                "--min-epoch-duration", "10ms");
        assertEquals(2, paced.exitCode, paced.toString());
        assertTrue(paced.err.contains("--checkpoint-every cannot be combined with --min-epoch-duration"), paced.toString());

        Cli notARun = Cli.run("train", "--resume", tmp.toString());
        assertEquals(2, notARun.exitCode, notARun.toString());
        assertTrue(notARun.err.contains("--resume must name the --out directory of a run started with --checkpoint-every, but "
                + tmp.resolve("checkpoints").resolve("command.json") + " does not exist"), notARun.toString());

        Cli mixed = Cli.run("train", "--resume", tmp.toString(), "--epochs", "5");
        assertEquals(2, mixed.exitCode, mixed.toString());
        assertTrue(mixed.err.contains("--epochs cannot be given with it"), mixed.toString());
    }

    /**
     * The soak: runs killed with SIGKILL at random moments (seeded) and resumed until they end,
     * each against the run left alone. {@code mvn -Plong test -Dtest=CheckpointResumeTest}; the
     * number of runs is {@code -Depochflux.soak.runs=N} (default 1) and of kills a run
     * {@code -Depochflux.soak.kills=N} (default 5).
     */
    @Test
    @Tag("long")
    void aRunKilledAtRandomManyTimesEndsExactlyAsTheRunLeftAlone(@TempDir Path tmp) throws Exception {
        int runs = Integer.getInteger("epochflux.soak.runs", 1);
        int kills = Integer.getInteger("epochflux.soak.kills", 5);
        java.util.SplittableRandom random = new java.util.SplittableRandom(2026);
        Path alone = tmp.resolve("alone");
        List<String> run = List.of("--epochs", "300", "--lr", "0.05", "--patience", "5", "--restore-best-weights",
                "--checkpoint-every", "2", "--keep-checkpoints", "2", "-q");
        long begun = System.nanoTime();
        finish(start(tmp.resolve("alone.log"), 0, with(run, "--out", alone.toString())), tmp.resolve("alone.log"));
        // kill moments are drawn within the length of the run left alone, so that they land on a fast or a slow machine
        long aloneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun);
        int done = 0;
        for (int r = 0; r < runs; r++) {
            Path killed = tmp.resolve("killed-" + r);
            List<String> args = with(run, "--out", killed.toString());
            for (int i = 0; i < kills; i++) {
                Path log = tmp.resolve("run-" + r + "-" + i + ".log");
                // a pause in every write stretches the run, so that a kill lands in a write about half of the time
                Process p = start(log, 40, args);
                long wait = aloneMillis / 5 + random.nextLong(Math.max(1, aloneMillis));
                if (p.waitFor(wait, TimeUnit.MILLISECONDS)) {
                    assertEquals(0, p.exitValue(), () -> read(log));
                    break;
                }
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                done++;
                if (Files.exists(killed.resolve(CheckpointRun.DIRECTORY).resolve(CheckpointRun.COMMAND_FILE))) {
                    args = List.of("--resume", killed.toString());
                } // else killed before it recorded its options: nothing to resume, so it starts again
            }
            Path last = tmp.resolve("last-" + r + ".log");
            if (!finished(killed)) {
                // killed before it recorded its options, the run has nothing to resume: it starts again
                boolean resumable = Files.exists(killed.resolve(CheckpointRun.DIRECTORY).resolve(CheckpointRun.COMMAND_FILE));
                finish(start(last, 0, resumable ? List.of("--resume", killed.toString()) : args), last);
            }
            assertEquals(Files.readString(alone.resolve("history.csv")), Files.readString(killed.resolve("history.csv")),
                    "history.csv of run " + r + " after " + done + " kills in all");
            assertArrayEquals(Sequential.load(alone.resolve("model.zip")).snapshot().toArray(),
                    Sequential.load(killed.resolve("model.zip")).snapshot().toArray(), "weights of run " + r);
        }
        System.out.printf("soak: %d runs, %d kills, every history and model equal to the run left alone%n", runs, done);
    }

    /** Whether a run's files are complete: its report no longer says running. */
    private static boolean finished(Path dir) throws java.io.IOException {
        return Files.exists(dir.resolve("report.json")) && io.epochflux.report.RunReport.read(dir.resolve("report.json"))
                .outcome() != io.epochflux.report.RunReport.Outcome.RUNNING;
    }
}
