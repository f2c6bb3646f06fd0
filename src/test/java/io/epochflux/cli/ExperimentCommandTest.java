package io.epochflux.cli;

import io.epochflux.internal.Format;
import io.epochflux.report.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExperimentCommandTest {

    @TempDir
    Path dir;

    private static String fixed(double v) {
        return Format.fixed4(new StringBuilder(), v).toString();
    }

    @Test
    void anExperimentClearsWhatAnEarlierCommandLeftInItsDirectory() throws IOException {
        Cli train = Cli.run("train", "--epochs", "2", "--quiet", "--out", dir.toString());
        assertEquals(0, train.exitCode, train.toString());
        Cli older = Cli.run("experiment", "--epochs", "2", "--patience", "0,5", "--quiet", "--out", dir.toString());
        assertEquals(0, older.exitCode, older.toString());
        assertTrue(older.out.contains("Removed what an earlier run left in " + dir
                + ": history.csv, history.png, model.zip, report.json"), older.out);
        Files.writeString(dir.resolve("notes.txt"), "mine");
        Cli cli = Cli.run("experiment", "--epochs", "2", "--patience", "0", "--quiet", "--out", dir.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("Removed what an earlier run left in " + dir + ": patience-5/"), cli.out);
        assertTrue(cli.out.contains("Replacing the earlier run in " + dir.resolve("patience-0")), cli.out);
        try (var entries = Files.list(dir)) {
            assertEquals(List.of("no-early-stopping", "notes.txt", "patience-0", "results.md", "val_loss.png"),
                    entries.map(e -> e.getFileName().toString()).sorted().toList(), "only this experiment's files, and the user's");
        }
    }

    @Test
    void aShortExperimentsTableEqualsItsReportFiles() throws IOException {
        Cli cli = Cli.run("experiment", "--epochs", "60", "--quiet", "--out", dir.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        List<String> lines = cli.out.lines().toList();
        int header = 0;
        while (!lines.get(header).startsWith("run ")) {
            header++;
        }
        assertEquals(List.of("run", "epochs", "stop", "best", "epoch", "loss", "val_loss", "test", "loss", "test", "accuracy"),
                List.of(lines.get(header).trim().split("\\s+")));
        String[] names = {"no-early-stopping", "patience-0", "patience-30"};
        for (int i = 0; i < names.length; i++) {
            String[] cells = lines.get(header + 1 + i).trim().split("\\s+");
            RunReport report = RunReport.read(dir.resolve(names[i]).resolve("report.json"));
            assertEquals(names[i], cells[0]);
            assertEquals(String.valueOf(report.epochsRun()), cells[1]);
            assertEquals(report.stop().orElseThrow().reason().name(), cells[2]);
            assertEquals(fixed(report.lastEpoch().get("loss")), cells[4]);
            assertEquals(fixed(report.lastEpoch().get("val_loss")), cells[5]);
            assertEquals(fixed(report.testLoss().getAsDouble()), cells[6]);
            assertEquals(fixed(report.testAccuracy().getAsDouble()), cells[7]);
            if (report.stop().orElseThrow().bestEpoch().isPresent()) {
                assertEquals(String.valueOf(report.stop().orElseThrow().bestEpoch().getAsInt()), cells[3]);
            }
        }
        RunReport none = RunReport.read(dir.resolve("no-early-stopping/report.json"));
        RunReport p0 = RunReport.read(dir.resolve("patience-0/report.json"));
        assertEquals(60, none.epochsRun());
        assertTrue(p0.epochsRun() < 60, "patience 0 stops first");
        assertTrue(cli.out.contains("Wall time of the whole experiment: "), cli.out);
        assertTrue(Files.readString(dir.resolve("results.md")).startsWith("| run | epochs | stop |"));
        assertEquals(1000, ImageIO.read(dir.resolve("val_loss.png").toFile()).getWidth());
        for (String n : names) {
            for (String f : new String[] {"history.csv", "report.json", "history.png", "model.zip"}) {
                assertTrue(Files.isRegularFile(dir.resolve(n).resolve(f)), n + "/" + f);
            }
        }
    }

    @Test
    void rejectsANegativePatience() {
        Cli cli = Cli.run("experiment", "--patience", "0,-2");
        assertEquals(2, cli.exitCode);
        assertTrue(cli.err.contains("--patience must be >= 0, but was -2"), cli.err);
    }

    @Test
    void refusesRepeatedPatienceValuesThatWouldShareAFolder() {
        Cli cli = Cli.run("experiment", "--patience", "0,0", "--out", dir.resolve("x").toString());
        assertEquals(2, cli.exitCode, cli.toString());
        assertEquals("epochflux experiment: --patience values must be distinct, but was 0,0 (see --help)", cli.err.strip());
        assertTrue(Files.notExists(dir.resolve("x")), "nothing created");
    }
}
