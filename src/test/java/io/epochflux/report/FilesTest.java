package io.epochflux.report;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilesTest {

    @TempDir
    Path dir;

    static History history(int epochs, int stopAt) {
        List<EpochMetrics> list = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("loss", 2.0 / e);
            v.put("accuracy", 1 - 1.0 / (e + 1));
            v.put("val_loss", 1.0 + Math.pow(e - 20, 2) / 400.0);
            v.put("val_accuracy", e == 3 ? Double.NaN : 0.5);
            EpochMetrics m = EpochMetrics.of(e, v).withDuration(java.time.Duration.ofMillis(2));
            if (e == stopAt) {
                m = m.withStop(StopReport.builder(StopReason.PATIENCE_EXHAUSTED, e).rule("EarlyStopping")
                        .monitor("val_loss").best(20, 1.0).message("m").build());
            }
            list.add(m);
        }
        return History.of(list);
    }

    @Test
    void historyCsvHasTheStandardColumnsAndRoundTrips() throws IOException {
        History h = history(30, 30);
        Path file = dir.resolve("history.csv");
        HistoryCsv.write(file, h);
        List<String> lines = Files.readAllLines(file);
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy", lines.get(0));
        assertEquals(31, lines.size());
        assertTrue(lines.get(3).endsWith(",NaN"), lines.get(3));
        History back = HistoryCsv.read(file);
        assertEquals(30, back.size());
        assertArrayEquals(h.series("val_loss"), back.series("val_loss"), "full precision");
        assertTrue(Double.isNaN(back.series("val_accuracy")[2]));
    }

    @Test
    void historyCsvWithoutValidationLeavesThoseCellsEmpty() throws IOException {
        History h = History.of(List.of(EpochMetrics.of(1, Map.of("loss", 0.5, "accuracy", 0.75))));
        Path file = dir.resolve("h.csv");
        HistoryCsv.write(file, h);
        assertEquals(List.of("epoch,loss,accuracy,val_loss,val_accuracy", "1,0.5,0.75,,"), Files.readAllLines(file));
    }

    @Test
    void historyCsvRejectsAForeignFile() throws IOException {
        Path file = dir.resolve("x.csv");
        Files.writeString(file, "a,b\n1,2\n");
        IOException e = assertThrows(IOException.class, () -> HistoryCsv.read(file));
        assertTrue(e.getMessage().contains("must start with 'epoch,'"), e.getMessage());
    }

    @Test
    void runReportRoundTripsThroughJson() throws IOException {
        History h = history(30, 30);
        RunReport r = RunReport.builder("patience-30", h)
                .test(1.3375, 0.5105, 2000)
                .configuration("trainer", Map.of("epochs", 3000, "batch_size", 10))
                .dataset("train", "mnist-sample[0:6000] sample(700, seed=10)", 700, "ab".repeat(32))
                .provenance(Map.of("java", "17"))
                .build();
        Path file = dir.resolve("report.json");
        r.write(file);
        RunReport back = RunReport.read(file);
        assertEquals("patience-30", back.run());
        assertEquals(RunReport.Outcome.STOPPED_EARLY, back.outcome());
        assertEquals(h.stop().orElseThrow(), back.stop().orElseThrow());
        assertEquals(30, back.epochsRun());
        assertEquals(0.5105, back.testAccuracy().getAsDouble());
        assertEquals(1.3375, back.testLoss().getAsDouble());
        assertEquals(r.lastEpoch(), back.lastEpoch());
        assertEquals(3000, ((Map<?, ?>) back.configuration().get("trainer")).get("epochs"));
        assertEquals(0.06, back.trainingSeconds(), 1e-9);
        String json = Files.readString(file);
        assertTrue(json.contains("\"reason\" : \"PATIENCE_EXHAUSTED\""), json);
        assertTrue(json.contains("\"sha256\" : \"" + "ab".repeat(32) + "\""), json);
    }

    @Test
    void aRunWithoutAStopReportWasInterrupted() {
        History h = History.of(List.of(EpochMetrics.of(1, Map.of("loss", 1.0))));
        assertEquals(RunReport.Outcome.INTERRUPTED, RunReport.builder("x", h).build().outcome());
        assertEquals(RunReport.Outcome.FAILED, RunReport.builder("x", h).error("boom").build().outcome());
    }

    @Test
    void chartsArePngsOfTheDocumentedSizeRenderedHeadless() throws IOException {
        assertTrue(java.awt.GraphicsEnvironment.isHeadless(), "tests render without a display");
        Path one = dir.resolve("history.png");
        Charts.write(Charts.history(history(40, 40), "patience 20"), one);
        Path overlay = dir.resolve("val_loss.png");
        Map<String, History> runs = new LinkedHashMap<>();
        runs.put("long", history(60, -1));
        runs.put("short", history(25, 25));
        Charts.write(Charts.overlay(runs, "val_loss", "val_loss"), overlay);
        for (Path p : List.of(one, overlay)) {
            byte[] bytes = Files.readAllBytes(p);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(bytes, 4), p.toString());
            BufferedImage image = ImageIO.read(p.toFile());
            assertNotNull(image, p.toString());
            assertEquals(Charts.WIDTH, image.getWidth());
            assertEquals(Charts.HEIGHT, image.getHeight());
            assertTrue(distinctColours(image) > 20, "a drawn chart, not a blank image");
        }
    }

    @Test
    void aChartDrawsTheBestAndStopMarkers() {
        var chart = Charts.history(history(40, 40), "t");
        var markers = chart.getXYPlot().getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND);
        List<String> labels = new ArrayList<>();
        for (Object m : markers) {
            labels.add(((org.jfree.chart.plot.Marker) m).getLabel());
        }
        assertEquals(List.of("best epoch 20", "stopped at epoch 40"), labels);
        assertEquals("accuracy", chart.getXYPlot().getRangeAxis(1).getLabel());
        assertEquals(1.0, chart.getXYPlot().getRangeAxis(1).getUpperBound());
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
