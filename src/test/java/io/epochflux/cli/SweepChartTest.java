package io.epochflux.cli;

import io.epochflux.nn.Activation;
import io.epochflux.sweep.Trial;
import io.epochflux.sweep.TrialConfig;
import io.epochflux.sweep.TrialResult;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep chart keeps every curve in view, clips an outlier with a mark, and names what it draws. */
class SweepChartTest {

    @Test
    void anOutlierIsClippedWithAMarkInsteadOfStretchingTheAxis() {
        List<TrialResult> trials = new ArrayList<>();
        trials.add(trial(0, 30, e -> 0.5 + 1.0 / e, -1));
        trials.add(trial(1, 30, e -> 0.7 + 1.0 / e, -1));
        trials.add(trial(2, 10, e -> 0.9 + 1.0 / e, 0));
        // a diverging trial: its val_loss climbs to 50
        trials.add(trial(3, 10, e -> 5.0 * e, 0));
        trials.sort(TrialResult.BEST_FIRST);
        JFreeChart chart = SweepChart.chart(trials, List.of(10), "Sweep \"s\": val_loss of every trial by epoch", "4 trials");
        var y = chart.getXYPlot().getRangeAxis().getRange();
        assertTrue(y.getUpperBound() < 10, "the axis is not stretched to the outlier's 50: " + y);
        assertTrue(y.getUpperBound() >= 1.9, "every other curve's first epoch (1.9) stays in view: " + y);
        assertTrue(y.getLowerBound() > 0.4 && y.getLowerBound() <= 0.5 + 1.0 / 30, "fitted, not from 0: " + y);
        List<String> legend = new ArrayList<>();
        var items = chart.getXYPlot().getLegendItems();
        for (int i = 0; i < items.getItemCount(); i++) {
            legend.add(items.get(i).getLabel());
        }
        assertEquals(List.of("best: trial-000 (" + trials.get(0).trial().config().describe() + "), val_loss 0.5333 at epoch 30",
                "finished (1)", "pruned (2)", "rung", "above the axis, clipped (1)"), legend);
        assertEquals("Sweep \"s\": val_loss of every trial by epoch", chart.getTitle().getText());
        assertEquals("4 trials", ((TextTitle) chart.getSubtitle(1)).getText());
    }

    @Test
    void withoutOutliersTheWholeRangeShows() {
        List<TrialResult> trials = List.of(trial(0, 20, e -> 1.0 + 1.0 / e, -1), trial(1, 20, e -> 1.2 + 1.0 / e, -1));
        double[] range = SweepChart.yRange(trials);
        assertTrue(range[1] >= 2.2, "the highest value 2.2 is in view: " + range[1]);
    }

    private static TrialResult trial(int index, int epochs, IntToDoubleFunction valLoss, int prunedAtRung) {
        TrialConfig config = new TrialConfig(List.of(2 + index), Activation.RELU, "sgd", 0.01, 0, 10, OptionalInt.empty());
        List<EpochMetrics> list = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            EpochMetrics m = EpochMetrics.of(e, Map.of("loss", 1.0, "val_loss", valLoss.applyAsDouble(e)));
            if (e == epochs && prunedAtRung >= 0) {
                // a pruned trial's last epoch carries the pruner's stop, as a sweep's do
                m = m.withStop(StopReport.builder(StopReason.PRUNED, e).rule("pruner").message("pruned").build());
            }
            list.add(m);
        }
        return new TrialResult(Trial.of(index, config), History.of(list), prunedAtRung);
    }
}
