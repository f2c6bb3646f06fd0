package io.epochflux.cli;

import io.epochflux.sweep.TrialResult;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.List;

/**
 * A sweep's chart: every trial's val_loss over epochs; pruned trials faded, the trials that ran on
 * in a muted colour, the best thick and bright, and a dashed line at each rung.
 */
final class SweepChart {

    private static final Color PRUNED = new Color(140, 140, 140, 120);
    private static final Color KEPT = new Color(31, 119, 180, 150);
    private static final Color BEST = new Color(214, 39, 40);
    private static final Color RUNG = new Color(90, 90, 90);

    private SweepChart() {
    }

    static JFreeChart chart(List<TrialResult> bestFirst, List<Integer> rungs, String title) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        // drawn in reverse rank so the best is drawn last, on top
        int i = 0;
        double top = 0;
        for (int r = bestFirst.size() - 1; r >= 0; r--) {
            TrialResult t = bestFirst.get(r);
            String label = r == 0 ? "best: " + t.trial().name() + " (" + t.trial().config().describe() + ")"
                    : t.trial().name();
            XYSeries s = new XYSeries(label, false, true);
            int[] epochs = t.history().epochNumbers();
            double[] v = t.history().series("val_loss");
            for (int k = 0; k < epochs.length; k++) {
                if (Double.isFinite(v[k])) {
                    s.add(epochs[k], v[k]);
                    if (k == 0) {
                        top = Math.max(top, v[k]);
                    }
                }
            }
            data.addSeries(s);
            Color color = r == 0 ? BEST : t.pruned() ? PRUNED : KEPT;
            renderer.setSeriesPaint(i, color);
            renderer.setSeriesStroke(i, new BasicStroke(r == 0 ? 3.5f : 1.2f));
            renderer.setSeriesVisibleInLegend(i, r == 0);
            i++;
        }
        NumberAxis x = new NumberAxis("epoch");
        NumberAxis y = new NumberAxis("val_loss");
        y.setAutoRangeIncludesZero(true);
        if (top > 0) {
            // the first epochs of bad trials dwarf the rest: cap at the worst first epoch
            y.setRange(0, Math.min(top * 1.05, 3.0));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(220, 220, 220));
        plot.setRangeGridlinePaint(new Color(220, 220, 220));
        for (int k = 0; k < rungs.size(); k++) {
            ValueMarker m = new ValueMarker(rungs.get(k), RUNG, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            m.setLabel("rung " + k);
            m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            plot.addDomainMarker(m);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle("pruned trials faded (grey), trials that ran on in blue, the best in red;"
                + " dashed lines: rungs", new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        return chart;
    }
}
