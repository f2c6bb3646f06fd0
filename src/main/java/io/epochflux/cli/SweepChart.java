package io.epochflux.cli;

import io.epochflux.sweep.TrialResult;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A sweep's chart: every trial's val_loss over epochs; pruned trials faded grey, the trials that ran
 * to the end in blue, the best thick red with a diamond at its best epoch, a dashed line at each
 * rung, and a legend naming each. The y range holds every curve but outliers ({@link #yRange}): a
 * curve that leaves it at the top is clipped there with a triangle, rather than stretching the axis
 * until the rest is flat.
 */
final class SweepChart {

    static final Color PRUNED = new Color(150, 150, 150, 150);
    static final Color FINISHED = new Color(31, 119, 180, 190);
    static final Color BEST = new Color(214, 39, 40);
    static final Color RUNG = new Color(90, 90, 90);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    private SweepChart() {
    }

    /**
     * @param bestFirst the trials, best first
     * @param rungs the rungs' epochs, empty for none
     * @param title the chart's title
     * @param subtitle a line under it (the pruner, the counts), empty for none
     */
    static JFreeChart chart(List<TrialResult> bestFirst, List<Integer> rungs, String title, String subtitle) {
        double[] top = yRange(bestFirst);
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        XYSeriesCollection marks = new XYSeriesCollection();
        XYLineAndShapeRenderer markRenderer = new XYLineAndShapeRenderer(false, true);
        int clipped = 0;
        // drawn in reverse rank so the best is drawn last, on top
        for (int r = bestFirst.size() - 1; r >= 0; r--) {
            TrialResult t = bestFirst.get(r);
            XYSeries s = new XYSeries(t.trial().name(), false, true);
            XYSeries off = new XYSeries(t.trial().name() + " clipped", false, true);
            int[] epochs = t.history().epochNumbers();
            double[] v = t.history().series("val_loss");
            boolean above = false;
            for (int k = 0; k < epochs.length; k++) {
                s.add(epochs[k], Double.isFinite(v[k]) ? v[k] : Double.NaN);
                boolean now = Double.isFinite(v[k]) && v[k] > top[1];
                if (now && !above) {
                    // where the curve leaves the axis at the top, a triangle just inside the edge
                    off.add(epochs[k], top[1] - (top[1] - top[0]) * 0.012);
                }
                above = now;
            }
            Color color = r == 0 ? BEST : t.pruned() ? PRUNED : FINISHED;
            renderer.setSeriesPaint(data.getSeriesCount(), color);
            renderer.setSeriesStroke(data.getSeriesCount(), new BasicStroke(r == 0 ? 3.5f : 1.4f));
            if (epochs.length == 1) {
                // a trial pruned after its first epoch has no line to draw: a dot instead
                renderer.setSeriesShapesVisible(data.getSeriesCount(), true);
                renderer.setSeriesShape(data.getSeriesCount(), new Ellipse2D.Double(-3.5, -3.5, 7, 7));
            }
            data.addSeries(s);
            if (off.getItemCount() > 0) {
                clipped++;
                markRenderer.setSeriesShape(marks.getSeriesCount(), triangle(6));
                markRenderer.setSeriesPaint(marks.getSeriesCount(), r == 0 ? BEST : t.pruned() ? RUNG : FINISHED);
                marks.addSeries(off);
            }
            if (r == 0 && t.bestEpoch().isPresent() && Double.isFinite(t.bestValLoss())) {
                XYSeries best = new XYSeries("best epoch", false, true);
                best.add(t.bestEpoch().getAsInt(), t.bestValLoss());
                markRenderer.setSeriesShape(marks.getSeriesCount(), diamond(7));
                markRenderer.setSeriesPaint(marks.getSeriesCount(), BEST);
                markRenderer.setSeriesOutlinePaint(marks.getSeriesCount(), Color.WHITE);
                markRenderer.setSeriesOutlineStroke(marks.getSeriesCount(), new BasicStroke(1.5f));
                marks.addSeries(best);
            }
        }
        markRenderer.setUseOutlinePaint(true);
        for (int i = 0; i < marks.getSeriesCount(); i++) {
            if (markRenderer.getSeriesOutlinePaint(i) == null) {
                markRenderer.setSeriesOutlinePaint(i, markRenderer.getSeriesPaint(i));
            }
        }
        NumberAxis x = new NumberAxis("epoch");
        x.setLabelFont(LABEL);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        int last = bestFirst.stream().mapToInt(TrialResult::epochs).max().orElse(1);
        x.setRange(0, Math.max(2, last) * 1.01);
        NumberAxis y = new NumberAxis("val_loss");
        y.setLabelFont(LABEL);
        y.setAutoRangeIncludesZero(false);
        y.setRange(top[0], top[1]);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setDataset(1, marks);
        plot.setRenderer(1, markRenderer);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(225, 225, 225));
        plot.setRangeGridlinePaint(new Color(225, 225, 225));
        plot.setOutlineVisible(false);
        Stroke dashed = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
        for (int k = 0; k < rungs.size(); k++) {
            ValueMarker m = new ValueMarker(rungs.get(k), RUNG, dashed);
            m.setLabel("rung " + k);
            m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            m.setLabelPaint(RUNG);
            m.setLabelBackgroundColor(new Color(255, 255, 255, 200));
            m.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
            m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            m.setLabelOffset(new RectangleInsets(4, 4, 4, 4));
            plot.addDomainMarker(m);
        }

        LegendItemCollection legend = new LegendItemCollection();
        if (!bestFirst.isEmpty()) {
            TrialResult b = bestFirst.get(0);
            legend.add(line("best: " + b.trial().name() + " (" + b.trial().config().describe() + "), val_loss "
                    + String.format(Locale.ROOT, "%.4f", b.bestValLoss())
                    + b.bestEpoch().stream().mapToObj(e -> " at epoch " + e).findFirst().orElse(""), BEST,
                    new BasicStroke(3.5f)));
        }
        long finished = bestFirst.stream().skip(1).filter(t -> !t.pruned()).count();
        long pruned = bestFirst.stream().skip(1).filter(TrialResult::pruned).count();
        if (finished > 0) {
            legend.add(line("finished (" + finished + ")", FINISHED, new BasicStroke(2f)));
        }
        if (pruned > 0) {
            legend.add(line("pruned (" + pruned + ")", PRUNED, new BasicStroke(2f)));
        }
        if (!rungs.isEmpty()) {
            legend.add(line("rung", RUNG, dashed));
        }
        if (clipped > 0) {
            LegendItem off = new LegendItem("above the axis, clipped (" + clipped + ")", null, null, null, triangle(6), RUNG);
            off.setLabelFont(LABEL);
            legend.add(off);
        }
        plot.setFixedLegendItems(legend);

        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        chart.getLegend().setItemFont(LABEL);
        chart.getLegend().setFrame(BlockBorder.NONE);
        if (!subtitle.isEmpty()) {
            chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        }
        return chart;
    }

    /**
     * The y range: from the lowest value up to the highest, unless that is an outlier, with a margin
     * of 6% either side, never below 0. A value is an outlier above both Tukey's far fence over all
     * values (the third quartile plus three interquartile ranges) and a quarter above the trials'
     * median first value (untrained networks start alike; a trial that diverges leaves them far
     * behind), so a bad trial's first epochs stay in view and a diverging trial is clipped.
     */
    static double[] yRange(List<TrialResult> trials) {
        List<Double> all = new ArrayList<>();
        List<Double> firsts = new ArrayList<>();
        for (TrialResult t : trials) {
            boolean first = true;
            for (double v : t.history().series("val_loss")) {
                if (Double.isFinite(v)) {
                    all.add(v);
                    if (first) {
                        firsts.add(v);
                        first = false;
                    }
                }
            }
        }
        if (all.isEmpty()) {
            return new double[] {0, 1};
        }
        double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] starts = firsts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double lo = sorted[0];
        double q1 = sorted[(int) Math.floor(0.25 * (sorted.length - 1))];
        double q3 = sorted[(int) Math.ceil(0.75 * (sorted.length - 1))];
        double fence = Math.max(q3 + 3 * (q3 - q1), 1.25 * starts[starts.length / 2]);
        double hi = Math.min(sorted[sorted.length - 1], fence);
        double pad = hi > lo ? (hi - lo) * 0.06 : Math.max(hi * 0.05, 1e-3);
        return new double[] {Math.max(0, lo - pad), hi + pad};
    }

    private static LegendItem line(String label, Color color, Stroke stroke) {
        LegendItem item = new LegendItem(label, null, null, null, false, new Ellipse2D.Double(-1, -1, 2, 2), false, color,
                false, color, new BasicStroke(1f), true, new Line2D.Double(-14, 0, 14, 0), stroke, color);
        item.setLabelFont(LABEL);
        return item;
    }

    private static Shape triangle(double r) {
        Path2D p = new Path2D.Double();
        p.moveTo(0, -r);
        p.lineTo(r, r * 0.8);
        p.lineTo(-r, r * 0.8);
        p.closePath();
        return p;
    }

    private static Shape diamond(double r) {
        Path2D p = new Path2D.Double();
        p.moveTo(0, -r);
        p.lineTo(r, 0);
        p.lineTo(0, r);
        p.lineTo(-r, 0);
        p.closePath();
        return p;
    }
}
