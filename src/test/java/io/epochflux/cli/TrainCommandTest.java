package io.epochflux.cli;

import io.epochflux.TestData;
import io.epochflux.data.Dataset;
import io.epochflux.data.Idx;
import io.epochflux.data.IdxImages;
import io.epochflux.data.IdxLabels;
import io.epochflux.nn.Sequential;
import io.epochflux.report.HistoryCsv;
import io.epochflux.report.RunReport;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandTest {

    @TempDir
    Path dir;

    @Test
    void anEnormousTimeBudgetIsAUsageErrorNamingTheOptionNotALongOverflow() {
        Cli cli = Cli.run("train", "--time-budget", "PT1000000000000H", "--epochs", "1");
        assertEquals(2, cli.exitCode, cli.toString());
        assertTrue(cli.err.contains("--time-budget must be at most PT2562047H47M16.854775807S"), cli.err);
    }

    @Test
    void patienceRunningOutOnTheLastEpochIsReportedAsTheEarlyStop() {
        // val_loss falls from epoch 1 to 2, which in max mode is no improvement: patience 0 runs out on the last epoch
        Cli cli = Cli.run("train", "--epochs", "2", "--mode", "max", "--quiet");
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("Stopped at epoch 2 of 2 (PATIENCE_EXHAUSTED)"), cli.out);
        assertTrue(cli.out.contains("the epoch limit (2) was reached on the same epoch"), cli.out);
    }

    @Test
    void trainsPrintsKerasLinesAndWritesItsFiles() throws IOException {
        Path out = dir.resolve("run");
        Cli cli = Cli.run("train", "--epochs", "5", "--no-early-stopping", "--out", out.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("Training 784-2(relu)-10(softmax) (1,600 parameters) on 700 examples"), cli.out);
        assertTrue(cli.out.lines().anyMatch(l -> l.matches("Epoch 5/5 - \\d+(us|ms|s) - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"
                + " - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}")), cli.out);
        assertTrue(cli.out.contains("Test: loss "), cli.out);
        RunReport report = RunReport.read(out.resolve("report.json"));
        assertEquals("no-early-stopping", report.run());
        assertEquals(RunReport.Outcome.COMPLETED, report.outcome());
        assertEquals(StopReason.MAX_EPOCHS, report.stop().orElseThrow().reason());
        assertEquals(5, report.epochsRun());
        assertTrue(report.testAccuracy().getAsDouble() > 0.1 && report.testAccuracy().getAsDouble() <= 1, report.toJson().toString());
        assertEquals(TestData.seedSplit().train().digest(), ((java.util.Map<?, ?>) report.datasets().get("train")).get("sha256"));
        assertTrue(report.provenance().get("kernel").toString().startsWith("heap/"), report.provenance().toString());
        History history = HistoryCsv.read(out.resolve("history.csv"));
        assertEquals(5, history.size());
        assertEquals(report.lastEpoch().get("val_loss"), history.series("val_loss")[4]);
        assertTrue(Files.size(out.resolve("history.png")) > 10_000);
        Sequential saved = Sequential.load(out.resolve("model.zip"));
        assertEquals(report.testLoss().getAsDouble(), saved.evaluate(TestData.seedSplit().test(), 32).loss(), 1e-12,
                "model.zip holds the weights that were tested");
    }

    @Test
    void recordsTheBlasThreadsAndTakesThemFromTheCommandLine() throws IOException {
        try {
            Path out = dir.resolve("threads");
            Cli cli = Cli.run("train", "--epochs", "1", "--no-early-stopping", "--quiet", "--hidden", "256,128",
                    "--batch-size", "128", "--threads", "3", "--out", out.toString());
            assertEquals(0, cli.exitCode, cli.toString());
            assertEquals(3, ((Number) RunReport.read(out.resolve("report.json")).provenance().get("threads")).intValue());
            Path seed = dir.resolve("seed");
            cli = Cli.run("train", "--epochs", "1", "--no-early-stopping", "--quiet", "--out", seed.toString());
            assertEquals(0, cli.exitCode, cli.toString());
            assertEquals(1, ((Number) RunReport.read(seed.resolve("report.json")).provenance().get("threads")).intValue(),
                    "the seed network never uses BLAS");
        } finally {
            System.clearProperty(io.epochflux.nn.internal.Kernels.THREADS_PROPERTY);
        }
    }

    @Test
    void rejectsAThreadCountBelowOne() {
        Cli cli = Cli.run("train", "--threads", "0");
        assertEquals(2, cli.exitCode);
        assertTrue(cli.err.contains("--threads must be >= 1, but was 0"), cli.err);
    }

    @Test
    void stopsEarlyAndRestoresWhenAsked() throws IOException {
        Path out = dir.resolve("es");
        Cli cli = Cli.run("train", "--epochs", "300", "--patience", "3", "--restore-best-weights", "--quiet",
                "--out", out.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        assertFalse(cli.out.contains("Epoch 1/300 -"), "quiet prints no epoch lines");
        RunReport report = RunReport.read(out.resolve("report.json"));
        assertEquals(RunReport.Outcome.STOPPED_EARLY, report.outcome());
        assertEquals("patience-3", report.run());
        assertTrue(report.epochsRun() < 300);
        assertEquals(report.stop().orElseThrow().bestEpoch(), report.stop().orElseThrow().restoredFromEpoch());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--batch-size 0|--batch-size must be >= 1, but was 0",
        "--patience -1|--patience must be >= 0, but was -1",
        "--optimizer rmsprop|expected one of [sgd, adam] (case-insensitive) but was 'rmsprop'",
        "--data-dir /no/such/dir|--data-dir must be an existing directory, but /no/such/dir is not one",
        "--train-size 7000|--train-size must be <= 6000 (the bundled sample's training pool), but was 7000",
        "--val-size 2001|--val-size must be <= 2000 (the bundled sample's validation pool), but was 2001",
        "--epochs 0|--epochs must be >= 1, but was 0",
        "--monitor val_acc|--monitor must be one of the metrics a run reports, loss, accuracy, val_loss, val_accuracy, but was val_acc (did you mean val_accuracy?)",
        "--no-early-stopping --patience 3|--patience configures early stopping, but --no-early-stopping turns it off",
        "--linger|--linger keeps the metrics endpoint up, but there is none: add --metrics-port",
        "--hidden 4,0|--hidden units must be >= 1, but was 0",
        "--hidden ,|--hidden must be widths separated by single commas, with no empty entry, but was ','",
        "--hidden 2,3,|--hidden must be widths separated by single commas, with no empty entry, but was '2,3,'",
        "--hidden 2,,3|--hidden must be widths separated by single commas, with no empty entry, but was '2,,3'",
        "--hidden 2,x|--hidden units must be whole numbers, but was 'x' in '2,x'",
        "--hidden 1000000|--hidden 1000000: the model 784-1000000(relu)-10(softmax) (795,000,010 parameters) needs 16.1 GB, but the heap has",
        "--baseline NaN|--baseline must be finite, but was NaN",
        "--min-epoch-duration 2h|--min-epoch-duration must be >= 0 and <= 1h, but was 2h",
        "--metrics-port 0 --metrics-bind no-such-host.invalid|--metrics-bind must be an address or host name of this machine, but was no-such-host.invalid (unknown host)",
        "--metrics-port 0 --metrics-bind 192.0.2.1|--metrics-bind must be an address or host name of this machine, but was 192.0.2.1 (192.0.2.1 is on none of its network interfaces)",
        "--time-budget 0s|--time-budget must be positive, but was 0ns",
        "--activation swish|--activation must be one of relu, softmax, sigmoid, tanh, linear, but was 'swish'",
        "--lr -0.5|--lr must be > 0, but was -0.5",
        "--optimizer adam --momentum 0.9|--momentum and --nesterov apply to --optimizer sgd, but the optimizer is adam",
        "--momentum 1|--momentum must be >= 0 and < 1, but was 1.0",
        "--metrics-port 70000|--metrics-port must be in 0..65535, but was 70000",
        "--time-budget 5q|'5q' is not a duration",
        "--epochs many|Invalid value for option '--epochs': 'many' is not an int",
        "--no-such-option|Unknown option: '--no-such-option'"})
    void badOptionsExitWithTwoAndOneLineNamingOptionValueAndRule(String args, String message) {
        Cli cli = Cli.run(("train " + args).split(" "));
        assertEquals(2, cli.exitCode, cli.toString());
        assertEquals(1, cli.err.lines().count(), cli.err);
        assertTrue(cli.err.startsWith("epochflux train: "), cli.err);
        assertTrue(cli.err.contains(message), cli.err);
        assertEquals("", cli.out);
    }

    @Test
    void outMustBeADirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Cli cli = Cli.run("train", "--out", file.toString());
        assertEquals(2, cli.exitCode);
        assertTrue(cli.err.contains("--out must be a directory, but " + file + " is a file"), cli.err);
    }

    private static void writeStandardFiles(Path target, boolean truncateTestLabels) throws IOException {
        Dataset s = TestData.sample();
        int[] trainIdx = new int[10_100];
        Arrays.setAll(trainIdx, i -> i % 10_000);
        write(target, "train", s.select(trainIdx));
        write(target, "t10k", s.slice(0, 100));
        if (truncateTestLabels) {
            Path labels = target.resolve("t10k-labels-idx1-ubyte");
            byte[] bytes = Files.readAllBytes(labels);
            Files.write(labels, Arrays.copyOf(bytes, bytes.length - 10));
        }
    }

    private static void write(Path dir, String prefix, Dataset d) throws IOException {
        float[] x = d.featureArray();
        byte[] px = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            px[i] = (byte) Math.round(x[i] * 255);
        }
        byte[] lb = new byte[d.size()];
        for (int i = 0; i < d.size(); i++) {
            lb[i] = (byte) d.classOf(i);
        }
        Idx.writeImages(dir.resolve(prefix + "-images-idx3-ubyte"), IdxImages.of(d.size(), 28, 28, px));
        Idx.writeLabels(dir.resolve(prefix + "-labels-idx1-ubyte"), IdxLabels.of(lb));
    }

    @Test
    void readsAStandardDataDirectory() throws IOException {
        writeStandardFiles(dir, false);
        Cli cli = Cli.run("train", "--data-dir", dir.toString(), "--train-size", "100", "--val-size", "50",
                "--epochs", "2", "--quiet");
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("(100 examples, batch 32)"), cli.out);
        Cli tooMany = Cli.run("train", "--data-dir", dir.toString(), "--train-size", "101");
        assertEquals(2, tooMany.exitCode);
        assertTrue(tooMany.err.contains("--train-size must be <= 100 (the training pool of " + dir), tooMany.err);
    }

    @Test
    void aCorruptDataFileFailsAtRunTimeNamingTheFile() throws IOException {
        writeStandardFiles(dir, true);
        Cli cli = Cli.run("train", "--data-dir", dir.toString(), "--train-size", "100", "--val-size", "50");
        assertEquals(1, cli.exitCode, cli.toString());
        assertEquals(1, cli.err.lines().count(), cli.err);
        assertTrue(cli.err.contains("t10k-labels-idx1-ubyte: truncated"), cli.err);
        Cli verbose = Cli.run("train", "--data-dir", dir.toString(), "--train-size", "100", "--val-size", "50", "--verbose");
        assertTrue(verbose.err.contains("at io.epochflux.data.Idx"), "--verbose adds the stack trace");
    }

    @Test
    void helpAndVersion() {
        Cli help = Cli.run("train", "--help");
        assertEquals(0, help.exitCode);
        assertTrue(help.out.contains("--restore-best-weights"), help.out);
        assertTrue(help.out.contains("130"), "exit codes are documented");
        assertTrue(help.out.contains("143") && help.out.contains("SIGTERM"), help.out);
        Cli version = Cli.run("--version");
        assertTrue(version.out.startsWith("epochflux "), version.out);
        Cli none = Cli.run();
        assertTrue(none.out.contains("experiment"), none.out);
    }

    @Test
    void everySubcommandPrintsTheVersion() {
        for (String command : new String[] {"train", "experiment", "bench"}) {
            Cli v = Cli.run(command, "-V");
            assertEquals(0, v.exitCode, v.toString());
            assertTrue(v.out.startsWith("epochflux ") && v.out.strip().length() > "epochflux ".length(), command + ": " + v.out);
        }
    }

    @Test
    void theTopLevelHelpListsEachCommandWithACompleteSentence() {
        Cli help = Cli.run("--help");
        // picocli lists a command with the first line of its description: that line must be a whole sentence
        String flat = help.out.replaceAll("\\s+", " ");
        for (String sentence : new String[] {"train Train one network on MNIST-style data and evaluate it on the test set.",
            "experiment Rerun the seed experiment: runs with and without early stopping, side by side.",
            "bench Measure training speed and memory."}) {
            assertTrue(flat.contains(sentence), sentence + " in\n" + help.out);
        }
    }

    @Test
    void outIsCheckedBeforeTrainingNamingThePathAndTheReason() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path under = file.resolve("sub");
        Cli cli = Cli.run("train", "--epochs", "3000", "--out", under.toString());
        assertEquals(2, cli.exitCode, cli.toString());
        assertEquals("epochflux train: --out must be a directory that can be created and written, but " + under
                + " cannot: Not a directory (see --help)", cli.err.strip());
        assertEquals("", cli.out, "nothing trained");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            Cli proc = Cli.run("train", "--out", "/proc/x");
            assertEquals(2, proc.exitCode, proc.toString());
            assertTrue(proc.err.contains("--out must be a directory that can be created and written, but /proc/x cannot: "),
                    proc.err);
        }
    }

    @Test
    void anUnreadableDataDirectoryIsNamedWithTheReason() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        Cli cli = Cli.run("train", "--data-dir", file.toString());
        assertEquals(2, cli.exitCode, cli.toString());
        assertTrue(cli.err.contains("--data-dir must be an existing directory, but " + file + " is not one (it is a file)"),
                cli.err);
        Files.createDirectory(dir.resolve("empty"));
        Cli empty = Cli.run("train", "--data-dir", dir.resolve("empty").toString());
        assertTrue(empty.err.contains("has no train-images-idx3-ubyte, no train-labels-idx1-ubyte, no t10k-images-idx3-ubyte,"
                + " no t10k-labels-idx1-ubyte"), empty.err);
    }

    @Test
    void aDataFileThatCannotBeReadIsNamedWithTheReason() throws IOException {
        writeStandardFiles(dir, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        Files.setPosixFilePermissions(images, java.util.Set.of());
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(images),
                "root reads a file whatever its permissions (Idx's own test covers a directory in a file's place)");
        Cli cli = Cli.run("train", "--data-dir", dir.toString(), "--train-size", "10", "--val-size", "10");
        assertEquals(1, cli.exitCode, cli.toString());
        assertEquals("epochflux train: " + images + ": Permission denied", cli.err.strip());
    }

    @Test
    void aDataDirectoryWithTooFewTrainingImagesSaysWhatItHolds() throws IOException {
        Dataset s = TestData.sample();
        write(dir, "train", s.slice(0, 100));
        write(dir, "t10k", s.slice(0, 10));
        Cli cli = Cli.run("train", "--data-dir", dir.toString());
        assertEquals(2, cli.exitCode, cli.toString());
        assertTrue(cli.err.contains("--data-dir must hold more than 10,000 training examples (the last 10,000 are the"
                + " validation pool, as in Keras), but " + dir.resolve("train-images-idx3-ubyte[.gz]") + " holds 100"), cli.err);
        assertFalse(cli.err.contains("-9900"), cli.err);
    }

    @Test
    void anEmptyTestSetIsRefusedBeforeTraining() throws IOException {
        Dataset s = TestData.sample();
        int[] trainIdx = new int[10_100];
        Arrays.setAll(trainIdx, i -> i % 10_000);
        write(dir, "train", s.select(trainIdx));
        Idx.writeImages(dir.resolve("t10k-images-idx3-ubyte"), IdxImages.of(0, 28, 28, new byte[0]));
        Idx.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), IdxLabels.of(new byte[0]));
        Cli cli = Cli.run("train", "--data-dir", dir.toString(), "--train-size", "10", "--val-size", "10");
        assertEquals(2, cli.exitCode, cli.toString());
        assertTrue(cli.err.contains("--data-dir must hold at least 1 test example, but "
                + dir.resolve("t10k-images-idx3-ubyte[.gz]") + " holds 0"), cli.err);
        assertFalse(cli.out.contains("nan"), cli.out);
    }

    @Test
    void metricsOnEveryInterfaceAreWarnedAbout() {
        Cli cli = Cli.run("train", "--epochs", "1", "--quiet", "--metrics-port", "0", "--metrics-bind", "0.0.0.0");
        assertEquals(0, cli.exitCode, cli.toString());
        assertEquals(1, cli.err.lines().filter(l -> l.contains("warning")).count(), cli.err);
        assertTrue(cli.err.contains("epochflux train: warning: --metrics-bind 0.0.0.0 serves the metrics on every network"
                + " interface"), cli.err);
        Cli loopback = Cli.run("train", "--epochs", "1", "--quiet", "--metrics-port", "0");
        assertEquals("", loopback.err);
    }

    @Test
    void anIpv6BindPrintsAUsableUrl() {
        Cli cli = Cli.run("train", "--epochs", "1", "--metrics-port", "0", "--metrics-bind", "::1");
        if (cli.exitCode == 1 && cli.err.contains("cannot serve metrics")) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + cli.err);
        }
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.matches("(?s).*serving metrics at http://\\[::1\\]:\\d+/metrics\n.*"), cli.out);
    }

    @Test
    void aGzipBombInTheDataDirectoryIsRefusedWithItsFiguresBeforeDecoding() throws IOException {
        writeStandardFiles(dir, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        Files.delete(images);
        Path bomb = dir.resolve("train-images-idx3-ubyte.gz");
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(bomb), 1 << 16))) {
            out.writeInt(Idx.IMAGES_MAGIC);
            out.writeInt(20_000);
            out.writeInt(280);
            out.writeInt(280);
            byte[] zeros = new byte[1 << 20];
            for (long left = 20_000L * 280 * 280; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        }
        Cli cli = Cli.run("train", "--data-dir", dir.toString());
        assertEquals(1, cli.exitCode, cli.toString());
        assertEquals(1, cli.err.lines().count(), cli.err);
        assertTrue(cli.err.startsWith("epochflux train: " + bomb + ": promises 20,000 images of 280 x 280 = 6.3 GB as"
                + " float32"), cli.err);
        assertTrue(cli.err.strip().endsWith("raise -Xmx or use fewer images"), cli.err);
    }
}
