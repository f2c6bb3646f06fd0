package io.epochflux.report;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.TextAnchor;
import org.junit.jupiter.api.Test;

import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the PNG charts show: readable ticks, fitted ranges, paired styles, marks and legends. */
class ChartsTest {

    @Test
    void logTicksFallOnOneTwoFiveNotOnFractionalExponents() {
        // the seed experiment's overlay: epochs 1 to 3000
        assertEquals(List.of(1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0),
                ReadableLogAxis.tickValues(0.9, 3450));
        // a learning rate decayed over five decades: powers of ten labelled, 2 and 5 as minor ticks
        List<Double> rates = ReadableLogAxis.tickValues(1e-5, 0.2);
        assertTrue(rates.containsAll(List.of(1e-5, 1e-4, 1e-3, 0.01, 0.1, 0.2)), rates.toString());
        assertTrue(ReadableLogAxis.labelled(1e-3, 1e-6, 0.2));
        assertFalse(ReadableLogAxis.labelled(2e-3, 1e-6, 0.2));
        assertTrue(ReadableLogAxis.labelled(2e-3, 1e-3, 0.2), "short ranges label every 1, 2 and 5");
        // too short a range for four 1-2-5 ticks gets 1, 1.5, 2, 3, 5, 7
        assertEquals(List.of(0.005, 0.007, 0.01, 0.015, 0.02), ReadableLogAxis.tickValues(0.005, 0.02));
    }

    @Test
    void logTickLabelsArePlainNumbers() {
        assertEquals("1,000", ReadableLogAxis.format(1000));
        assertEquals("20", ReadableLogAxis.format(20));
        assertEquals("0.5", ReadableLogAxis.format(0.5));
        assertEquals("0.002", ReadableLogAxis.format(0.002));
        assertEquals("1e-5", ReadableLogAxis.format(1e-5));
        assertEquals("2e-6", ReadableLogAxis.format(2e-6));
    }

    @Test
    void eachPanelIsFittedToItsDataWithAMargin() {
        List<XYPlot> panels = panels(Charts.history(FilesTest.history(40, 40), "t"));
        // loss runs from 2/40 = 0.05 to 2.0, val_loss from 1.0 to 2.0: the margin below reaches 0
        var loss = panels.get(0).getRangeAxis().getRange();
        assertTrue(loss.getLowerBound() >= 0 && loss.getLowerBound() <= 0.05, loss.toString());
        assertTrue(loss.getUpperBound() >= 2.0 && loss.getUpperBound() < 2.2, loss.toString());
        // accuracy runs from 0.5 to 0.976: no axis from 0
        var accuracy = panels.get(1).getRangeAxis().getRange();
        assertTrue(accuracy.getLowerBound() > 0.4 && accuracy.getLowerBound() <= 0.5, accuracy.toString());
        assertTrue(accuracy.getUpperBound() <= 1.0 && accuracy.getUpperBound() > 0.976, accuracy.toString());
    }

    @Test
    void trainingIsSolidAndValidationDashedInOneColourAndTheLegendNamesThem() {
        JFreeChart chart = Charts.history(FilesTest.history(40, 40), "t");
        for (XYPlot panel : panels(chart).subList(0, 2)) {
            XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) panel.getRenderer();
            assertEquals(r.getSeriesPaint(0), r.getSeriesPaint(1), panel.getRangeAxis().getLabel());
            assertNull(((BasicStroke) r.getSeriesStroke(0)).getDashArray(), "training solid");
            assertNotNull(((BasicStroke) r.getSeriesStroke(1)).getDashArray(), "validation dashed");
        }
        assertTrue(legend(chart).containsAll(List.of("loss (training)", "val_loss (validation)", "accuracy (training)",
                "val_accuracy (validation)", "best epoch 20 (val_loss 1.0000)", "stopped at epoch 40 (PATIENCE_EXHAUSTED)")),
                legend(chart).toString());
    }

    @Test
    void restoredWeightsAreMarkedAndNamed() {
        List<EpochMetrics> epochs = new ArrayList<>(FilesTest.history(30, -1).epochs());
        EpochMetrics last = epochs.remove(epochs.size() - 1);
        epochs.add(last.withStop(StopReport.builder(StopReason.PATIENCE_EXHAUSTED, 30).rule("EarlyStopping")
                .monitor("val_loss").best(20, 1.0).restoredFromEpoch(20).message("m").build()));
        JFreeChart chart = Charts.history(History.of(epochs), "t");
        assertTrue(legend(chart).contains("weights of epoch 20 restored"), legend(chart).toString());
    }

    @Test
    void aMarkerLabelNearTheRightEdgeSitsLeftOfItsLine() {
        // the best epoch one before the stop, at the right edge: its label must not run off the chart
        JFreeChart chart = Charts.history(stoppedAt(58, 57), "t");
        List<ValueMarker> marks = markers(panels(chart).get(0));
        assertEquals("best epoch 57", marks.get(0).getLabel());
        assertEquals(TextAnchor.TOP_RIGHT, marks.get(0).getLabelTextAnchor(), "text ends at the line");
        assertEquals(TextAnchor.TOP_RIGHT, marks.get(1).getLabelTextAnchor());
        JFreeChart early = Charts.history(stoppedAt(200, 20), "t");
        assertEquals(TextAnchor.TOP_LEFT, markers(panels(early).get(0)).get(0).getLabelTextAnchor(), "text starts at the line");
        // the lower panels repeat the lines without labels
        assertTrue(markers(panels(chart).get(1)).stream().allMatch(m -> m.getLabel() == null));
    }

    @Test
    void aRegressionShowsMaeAndALossThatFallsByOrdersGetsALogAxis() {
        List<EpochMetrics> list = new ArrayList<>();
        for (int e = 1; e <= 60; e++) {
            double loss = 3000 + 25000 * Math.exp(-e / 4.0);
            list.add(EpochMetrics.of(e, Map.of("loss", loss, "mae", Math.sqrt(loss), "val_loss", loss * 1.1,
                    "val_mae", Math.sqrt(loss * 1.1))));
        }
        List<XYPlot> panels = panels(Charts.history(History.of(list), "regression"));
        assertInstanceOf(ReadableLogAxis.class, panels.get(0).getRangeAxis());
        assertEquals("loss (log scale)", panels.get(0).getRangeAxis().getLabel());
        assertEquals("mae", panels.get(1).getRangeAxis().getLabel());
        // the seed runs' loss stays on a linear axis
        assertFalse(panels(Charts.history(FilesTest.history(40, 40), "t")).get(0).getRangeAxis() instanceof ReadableLogAxis);
    }

    @Test
    void theOverlayNamesEachRunAndTheStylesAndTicksEpochsAtOneTwoFive() {
        Map<String, History> runs = new LinkedHashMap<>();
        runs.put("long", FilesTest.history(300, -1));
        runs.put("short", FilesTest.history(25, 25));
        JFreeChart chart = Charts.overlay(runs, "val_loss", "val_loss");
        XYPlot plot = chart.getXYPlot();
        assertInstanceOf(ReadableLogAxis.class, plot.getDomainAxis());
        List<String> legend = legend(chart);
        assertEquals(List.of("long: ran to epoch 300, best 20", "short: stopped at epoch 25, best 20", "loss (solid)",
                "val_loss (dashed)", "best epoch", "last epoch"), legend);
        // the y axis is fitted to the curves: loss falls to 2/300, val_loss rises to 1 + 280^2/400 = 197
        var y = plot.getRangeAxis().getRange();
        assertTrue(y.getLowerBound() >= 0 && y.getLowerBound() < 0.01, y.toString());
        assertTrue(y.getUpperBound() >= 197 && y.getUpperBound() < 215, y.toString());
        // each run's pair in one colour
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        assertEquals(r.getSeriesPaint(0), r.getSeriesPaint(1));
        assertFalse(r.getSeriesPaint(0).equals(r.getSeriesPaint(2)), "runs in different colours");
    }

    private static History stoppedAt(int stop, int best) {
        List<EpochMetrics> list = new ArrayList<>();
        for (int e = 1; e <= stop; e++) {
            EpochMetrics m = EpochMetrics.of(e, Map.of("loss", 2.0 / e, "val_loss", 1 + Math.abs(e - best) / 100.0,
                    "accuracy", 0.5, "val_accuracy", 0.4));
            if (e == stop) {
                m = m.withStop(StopReport.builder(StopReason.PATIENCE_EXHAUSTED, e).monitor("val_loss").best(best, 1.0)
                        .message("m").build());
            }
            list.add(m);
        }
        return History.of(list);
    }

    private static List<XYPlot> panels(JFreeChart chart) {
        return ((CombinedDomainXYPlot) chart.getXYPlot()).getSubplots();
    }

    private static List<ValueMarker> markers(XYPlot plot) {
        List<ValueMarker> list = new ArrayList<>();
        for (Object m : plot.getDomainMarkers(Layer.FOREGROUND)) {
            list.add((ValueMarker) (Marker) m);
        }
        return list;
    }

    private static List<String> legend(JFreeChart chart) {
        List<String> names = new ArrayList<>();
        var items = chart.getXYPlot().getLegendItems();
        for (int i = 0; i < items.getItemCount(); i++) {
            names.add(items.get(i).getLabel());
        }
        return names;
    }
}
