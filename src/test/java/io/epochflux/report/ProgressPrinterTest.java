package io.epochflux.report;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressPrinterTest {

    private static EpochMetrics epoch(int n, Duration d) {
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("loss", 2.10534);
        v.put("accuracy", 0.18714);
        v.put("val_loss", 2.06336);
        v.put("val_accuracy", 0.21666);
        return EpochMetrics.of(n, v).withDuration(d);
    }

    @Test
    void printsKerasStyleLines() {
        StringWriter s = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(s), 3000, ProgressPrinter.Verbosity.NORMAL, false);
        p.accept(epoch(12, Duration.ofMillis(3)));
        p.accept(epoch(13, Duration.ofNanos(412_345)));
        p.accept(epoch(14, Duration.ofMillis(2300)));
        String[] lines = s.toString().split("\n");
        assertEquals("Epoch 12/3000 - 3ms - loss: 2.1053 - accuracy: 0.1871 - val_loss: 2.0634 - val_accuracy: 0.2167",
                lines[0]);
        assertTrue(lines[1].startsWith("Epoch 13/3000 - 412us - "), lines[1]);
        assertTrue(lines[2].startsWith("Epoch 14/3000 - 2s - "), lines[2]);
    }

    @Test
    void printsNonFiniteValuesAsKerasDoes() {
        StringWriter s = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(s), 5, ProgressPrinter.Verbosity.NORMAL, false);
        p.accept(EpochMetrics.of(1, Map.of("loss", Double.NaN)));
        p.accept(EpochMetrics.of(2, Map.of("loss", Double.NEGATIVE_INFINITY)));
        p.accept(EpochMetrics.of(3, Map.of("loss", -0.00001)));
        assertEquals("Epoch 1/5 - 0us - loss: nan\nEpoch 2/5 - 0us - loss: -inf\nEpoch 3/5 - 0us - loss: 0.0000\n",
                s.toString().replace("\r", ""));
    }

    @Test
    void printsASmallLearningRateAsKerasDoes() {
        StringWriter s = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(s), 3, ProgressPrinter.Verbosity.NORMAL, false);
        p.accept(EpochMetrics.of(1, Map.of("learning_rate", (double) 0.01f)));
        p.accept(EpochMetrics.of(2, Map.of("learning_rate", (double) 1e-4f)));
        p.accept(EpochMetrics.of(3, Map.of("learning_rate", 0.0)));
        assertEquals("Epoch 1/3 - 0us - learning_rate: 0.0100\nEpoch 2/3 - 0us - learning_rate: 1.0000e-04\n"
                + "Epoch 3/3 - 0us - learning_rate: 0.0000e+00\n", s.toString().replace("\r", ""));
    }

    @Test
    void printsTheStopReportAndTheRestore() {
        StringWriter s = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(s), 3000, ProgressPrinter.Verbosity.NORMAL, false);
        StopReport r = StopReport.builder(StopReason.PATIENCE_EXHAUSTED, 145).rule("EarlyStopping(patience=30)")
                .message("val_loss did not improve for 30 epochs").restoredFromEpoch(115).build();
        p.accept(epoch(145, Duration.ofMillis(1)).withStop(r));
        String out = s.toString();
        assertTrue(out.contains("Epoch 145: stopped (PATIENCE_EXHAUSTED) by EarlyStopping(patience=30): val_loss did not"
                + " improve for 30 epochs"), out);
        assertTrue(out.contains("Restoring model weights from the end of the best epoch: 115."), out);
    }

    @Test
    void quietPrintsNothing() {
        StringWriter s = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(s), 3, ProgressPrinter.Verbosity.QUIET, true);
        p.accept(epoch(1, Duration.ofMillis(1)));
        p.onBatch(1, 5, 10, 1, 0.5);
        assertEquals("", s.toString());
    }

    @Test
    void drawsALiveBarOnlyWithinLongEpochsOnATerminal() {
        AtomicLong now = new AtomicLong();
        StringWriter s = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(s), 10, ProgressPrinter.Verbosity.NORMAL, true, now::get);
        p.onBatch(1, 1, 100, 2.0, 0.1);
        now.set(500_000_000L);
        p.onBatch(1, 40, 100, 1.5, 0.3);
        assertEquals("", s.toString(), "nothing during the first second");
        now.set(1_500_000_000L);
        p.onBatch(1, 60, 100, 1.2, 0.4);
        String bar = s.toString();
        assertTrue(bar.startsWith("\rEpoch 1/10 60/100 [==================>...........] - ETA 1s - loss: 1.2000"), bar);
        now.set(1_550_000_000L);
        p.onBatch(1, 61, 100, 1.2, 0.4);
        assertEquals(bar, s.toString(), "redrawn at most ten times a second");
        p.accept(epoch(1, Duration.ofMillis(2500)));
        assertTrue(s.toString().substring(bar.length()).startsWith("\rEpoch 1/10 - 3s - loss"), "the epoch line replaces the bar");
    }

    @Test
    void verboseWithoutATerminalLogsTenthsOfLongEpochs() {
        AtomicLong now = new AtomicLong();
        StringWriter s = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(s), 10, ProgressPrinter.Verbosity.VERBOSE, false, now::get);
        for (int b = 1; b <= 100; b++) {
            now.set(b * 100_000_000L);
            p.onBatch(1, b, 100, 1.0, 0.5);
        }
        long lines = s.toString().lines().count();
        assertTrue(lines >= 8 && lines <= 9, "a line per tenth after the first second: " + lines);
        StringWriter n = new StringWriter();
        ProgressPrinter normal = new ProgressPrinter(new PrintWriter(n), 10, ProgressPrinter.Verbosity.NORMAL, false, now::get);
        normal.onBatch(1, 50, 100, 1, 0.5);
        assertEquals("", n.toString(), "no bar when not on a terminal");
    }
}
