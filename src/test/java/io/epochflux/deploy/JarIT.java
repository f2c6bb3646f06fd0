package io.epochflux.deploy;

import io.epochflux.report.HistoryCsv;
import io.epochflux.nn.Sequential;
import io.epochflux.train.History;
import io.epochflux.report.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged jar as a user runs it. */
class JarIT {

    @TempDir
    Path dir;

    @Test
    void ctrlCStopsTheRunCleanlyAndStillWritesItsFiles() throws Exception {
        Path log = dir.resolve("train.log");
        Path out = dir.resolve("out");
        String signal;
        Process p = Processes.epochflux(log, true, "train", "--epochs", "100000", "--no-early-stopping",
                "--min-epoch-duration", "50ms", "--out", out.toString());
        try {
            Processes.await("a few epochs", Duration.ofSeconds(60),
                    () -> Files.readAllLines(log).stream().filter(l -> l.startsWith("Epoch ")).count(), n -> n >= 5);
            // what Ctrl-C sends (the shell's own kill, so no procps is needed); a JVM started from a
            // background job ignores SIGINT, and then SIGTERM, which runs the same shutdown, stands in
            signal = sigintIgnored(p.pid()) ? "TERM" : "INT";
            Processes.Result kill = Processes.run(dir, List.of("sh", "-c", "kill -" + signal + " " + p.pid()), Map.of());
            assertEquals(0, kill.exitCode(), kill.output());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run ends after Ctrl-C");
        } finally {
            Processes.stop(p);
        }
        assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue(), Files.readString(log));
        RunReport report = RunReport.read(out.resolve("report.json"));
        assertEquals(RunReport.Outcome.INTERRUPTED, report.outcome());
        assertTrue(report.stop().isEmpty());
        assertTrue(report.epochsRun() >= 5, "epochs " + report.epochsRun());
        assertEquals(report.epochsRun(), HistoryCsv.read(out.resolve("history.csv")).size());
        assertTrue(Files.size(out.resolve("history.png")) > 0);
        assertTrue(Files.size(out.resolve("model.zip")) > 0);
        String output = Files.readString(log);
        assertTrue(output.contains("without a stop report (interrupted)"), output);
        assertFalse(output.contains("Exception"), "no stack trace: " + output);
        // the weights say what the report says: model.zip is the last recorded epoch's, bit for bit
        assertEquals(report.epochsRun(), report.weightsEpoch());
        Path again = dir.resolve("again");
        Process q = Processes.epochflux(dir.resolve("again.log"), true, "train", "--epochs",
                String.valueOf(report.epochsRun()), "--no-early-stopping", "--quiet", "--out", again.toString());
        assertTrue(q.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, q.exitValue(), Files.readString(dir.resolve("again.log")));
        assertEquals(Sequential.load(again.resolve("model.zip")).snapshot(), Sequential.load(out.resolve("model.zip")).snapshot(),
                "the interrupted run's model is the model of a run of exactly its recorded epochs");
    }

    @Test
    void aKilledRunKeepsEveryFinishedEpochAndTheNextRunReplacesItsFilesAsASet() throws Exception {
        Path log = dir.resolve("killed.log");
        Path out = dir.resolve("out");
        Process p = Processes.epochflux(log, true, "train", "--epochs", "100000", "--no-early-stopping",
                "--min-epoch-duration", "20ms", "--out", out.toString());
        try {
            Processes.await("a few epochs in history.csv", Duration.ofSeconds(60),
                    () -> Files.exists(out.resolve("history.csv")) ? Files.readAllLines(out.resolve("history.csv")).size() : 0,
                    n -> n >= 6);
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(RunReport.Outcome.RUNNING, RunReport.read(out.resolve("report.json")).outcome(),
                "a killed run's report says it never finished");
        assertTrue(Files.readString(out.resolve("history.csv")).endsWith("\n"), "only whole rows");
        History kept = HistoryCsv.read(out.resolve("history.csv"));
        assertTrue(kept.size() >= 5, "every finished epoch is kept: " + kept.size());
        assertFalse(Files.exists(out.resolve("model.zip")), "no model from this run or the one before");

        Path log2 = dir.resolve("next.log");
        Process q = Processes.epochflux(log2, true, "train", "--epochs", "3", "--no-early-stopping", "--out", out.toString());
        assertTrue(q.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, q.exitValue(), Files.readString(log2));
        assertTrue(Files.readString(log2).contains("Replacing the earlier run in " + out + " (no-early-stopping, running)"),
                Files.readString(log2));
        RunReport report = RunReport.read(out.resolve("report.json"));
        assertEquals(RunReport.Outcome.COMPLETED, report.outcome());
        assertEquals(3, HistoryCsv.read(out.resolve("history.csv")).size());
        assertEquals(3, report.weightsEpoch());
        try (var files = Files.list(out)) {
            assertEquals(List.of("history.csv", "history.png", "model.zip", "report.json"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "the set, and no temporary file");
        }
    }

    /** Reads the process' ignored-signal mask: SIGINT is signal 2, bit 1. */
    private static boolean sigintIgnored(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring(7).trim(), 16) & 0b10) != 0;
            }
        }
        return false;
    }

    @Test
    void runsWithPlainLoopsWhenTheVectorModuleIsAbsent() throws Exception {
        Path plain = dir.resolve("plain.log");
        Process p = Processes.epochflux(plain, false, "train", "--epochs", "3", "--no-early-stopping");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(plain));
        assertTrue(Files.readString(plain).contains("kernel heap/scalar"), Files.readString(plain));

        Path vector = dir.resolve("vector.log");
        Process v = Processes.epochflux(vector, true, "train", "--epochs", "3", "--no-early-stopping");
        assertTrue(v.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, v.exitValue(), Files.readString(vector));
        assertTrue(Files.readString(vector).contains("kernel heap/vector-"), Files.readString(vector));
    }

    @Test
    void badUsageExitsWithTwoWithoutAStackTrace() throws Exception {
        Path log = dir.resolve("bad.log");
        Process p = Processes.epochflux(log, true, "train", "--batch-size", "0");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        String output = Files.readString(log).lines().filter(l -> !l.startsWith("WARNING: Using incubator modules"))
                .reduce("", (a, b) -> a + b + "\n");
        assertEquals("epochflux train: --batch-size must be >= 1, but was 0 (see --help)\n", output);
    }
}
