package io.epochflux.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's output, not its figures: tests never assert a time. */
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void theSeedWorkloadReportsBothPathsWithFigures() {
        Cli cli = Cli.run("bench", "--workload", "seed", "--epochs", "30", "--repeats", "1");
        assertEquals(0, cli.exitCode, cli.toString());
        List<String> rows = cli.out.lines().filter(l -> l.startsWith("heap/")).toList();
        assertEquals(4, rows.size(), cli.out);
        for (String row : rows.subList(0, 2)) {
            String[] cells = row.trim().split("\\s+");
            assertTrue(Double.parseDouble(cells[3]) > 0, row);
            assertTrue(cells[4].matches("\\d+\\.\\d+\\.\\.\\d+\\.\\d+"), row);
            assertTrue(Double.parseDouble(cells[6]) > 0, "GFLOP/s in " + row);
        }
        assertTrue(cli.out.contains("5.43 MFLOP an epoch"), cli.out);
    }

    @Test
    void aDataDirectoryAskedForByNameMustExistAndHoldTheFiles() {
        Cli missing = Cli.run("bench", "--workload", "large", "--data-dir", "/nonexistent");
        assertEquals(2, missing.exitCode, missing.toString());
        assertTrue(missing.err.contains("--data-dir must be an existing directory, but /nonexistent is not one"), missing.err);
        assertEquals("", missing.out);
        Cli empty = Cli.run("bench", "--workload", "large", "--data-dir", dir.toString());
        assertEquals(2, empty.exitCode, empty.toString());
        assertTrue(empty.err.contains("--data-dir must hold train-images-idx3-ubyte"), empty.err);
    }

    @Test
    void theLargeWorkloadSaysWhyItIsSkippedWithoutTheDefaultData() {
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.isDirectory(BenchCommand.FASHION_MNIST));
        Cli cli = Cli.run("bench", "--workload", "large");
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("skipped: " + BenchCommand.FASHION_MNIST + " does not hold the standard MNIST files"),
                cli.out);
    }

    @Test
    void theLargeWorkloadsHeaderCountsTheRealData() throws java.io.IOException {
        byte[] pixels = new byte[30 * 784];
        io.epochflux.data.Idx.writeImages(dir.resolve("train-images-idx3-ubyte.gz"),
                io.epochflux.data.IdxImages.of(30, 28, 28, pixels));
        io.epochflux.data.Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte"), io.epochflux.data.IdxLabels.of(new byte[30]));
        io.epochflux.data.Idx.writeImages(dir.resolve("t10k-images-idx3-ubyte"),
                io.epochflux.data.IdxImages.of(7, 28, 28, new byte[7 * 784]));
        io.epochflux.data.Idx.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), io.epochflux.data.IdxLabels.of(new byte[7]));
        Cli cli = Cli.run("bench", "--workload", "large", "--large-epochs", "1", "--data-dir", dir.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("30 training + 7 validation images from " + dir), cli.out);
        assertTrue(!cli.out.contains("60,000"), cli.out);
    }

    @Test
    void churnWatchesMemoryAndThreads() {
        Cli cli = Cli.run("bench", "--workload", "churn", "--runs", "20");
        assertEquals(0, cli.exitCode, cli.toString());
        assertEquals(11, cli.out.lines().filter(l -> l.trim().matches("\\d+ .*")).count(), cli.out);
    }

    @Test
    void concurrentRunsReportTheirTotalThroughputBesideOneRunAlone() {
        Cli cli = Cli.run("bench", "--workload", "concurrent", "--epochs", "20", "--repeats", "1");
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.lines().anyMatch(l -> l.matches("\\s+one run alone: +\\d+ epochs/s .*")), cli.out);
        assertTrue(cli.out.lines().anyMatch(l -> l.matches("\\s+8 runs at once: +\\d+ epochs/s in total .*, \\d+\\.\\d\\dx one run")),
                cli.out);
    }

    @Test
    void theStartWorkloadNeedsTheJar() {
        Cli cli = Cli.run("bench", "--workload", "start");
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("start: skipped, not running from the jar"), cli.out);
    }

    @Test
    void rejectsAnUnknownWorkload() {
        Cli cli = Cli.run("bench", "--workload", "huge");
        assertEquals(2, cli.exitCode);
        assertTrue(cli.err.contains("--workload must be one of seed, large, churn, concurrent, start, lenet, but was huge"), cli.err);
    }

    @Test
    void countsTheSeedWorkloadsArithmetic() {
        var model = io.epochflux.nn.Sequential.builder(784).dense(2, io.epochflux.nn.Activation.RELU)
                .dense(10, io.epochflux.nn.Activation.SOFTMAX).build();
        // forward 2 x 1588 MAC on 1000 examples, weight gradients 2 x 1588 and input gradients 2 x 20 on 700
        assertEquals(2.0 * 1588 * 1000 + 2.0 * 1588 * 700 + 2.0 * 20 * 700, BenchCommand.flopsPerEpoch(model, 700, 300));
    }
}
