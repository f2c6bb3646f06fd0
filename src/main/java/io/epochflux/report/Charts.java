package io.epochflux.report;

import io.epochflux.internal.AtomicFiles;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * PNG charts of training histories, drawn with JFreeChart: the Keras tutorial's twin-axis figure
 * of one run (loss and val_loss on the left axis, accuracy and val_accuracy on the right, labelled
 * markers at the best and the stopping epoch), and an overlay of one metric across runs.
 *
 * <pre>{@code
 * Charts.write(Charts.history(history, "patience 30"), Path.of("history.png"));
 * }</pre>
 */
public final class Charts {

    /** Width of the PNGs, in pixels. */
    public static final int WIDTH = 1000;
    /** Height of the PNGs, in pixels. */
    public static final int HEIGHT = 600;

    private static final Color LOSS = new Color(31, 119, 180);
    private static final Color VAL_LOSS = new Color(255, 127, 14);
    private static final Color ACCURACY = new Color(44, 160, 44);
    private static final Color VAL_ACCURACY = new Color(214, 39, 40);
    private static final Color BEST = new Color(23, 150, 170);
    private static final Color STOPPED = new Color(90, 90, 90);
    private static final Color LEARNING_RATE = new Color(148, 103, 189);
    private static final Color[] RUNS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194)};
    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font MARKER = new Font(Font.SANS_SERIF, Font.BOLD, 12);

    private Charts() {
    }

    /**
     * Draws one run: loss and val_loss on the left axis, accuracy and val_accuracy on the right
     * (0 to 1), epoch on x, a labelled line at the best epoch (the stop report's, else the lowest
     * val_loss) and at the epoch where a rule stopped the run. When the epochs carry
     * {@code learning_rate} (a learning-rate operator was in the chain), the rate in force is drawn
     * as a step line on a third axis, on the right (logarithmic when every rate is above 0).
     *
     * @param history the run
     * @param title the chart's title, such as the run's settings
     * @return the chart
     */
    public static JFreeChart history(History history, String title) {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(title, "title");
        XYSeriesCollection losses = new XYSeriesCollection();
        XYSeriesCollection accuracies = new XYSeriesCollection();
        int[] epochs = history.epochNumbers();
        for (String metric : new String[] {"loss", "val_loss"}) {
            if (history.metricNames().contains(metric)) {
                losses.addSeries(series(metric, epochs, history.series(metric)));
            }
        }
        // a regression's epochs carry mae where a classification's carry accuracy
        boolean regression = history.metricNames().contains("mae") && !history.metricNames().contains("accuracy");
        String metricName = regression ? "mae" : "accuracy";
        for (String metric : new String[] {metricName, "val_" + metricName}) {
            if (history.metricNames().contains(metric)) {
                accuracies.addSeries(series(metric, epochs, history.series(metric)));
            }
        }
        NumberAxis x = epochAxis(epochs.length == 0 ? 1 : epochs[epochs.length - 1]);
        NumberAxis left = new NumberAxis("loss");
        left.setLabelFont(LABEL);
        left.setAutoRangeIncludesZero(true);
        NumberAxis right = new NumberAxis(metricName);
        right.setLabelFont(LABEL);
        if (regression) {
            right.setAutoRangeIncludesZero(true);
        } else {
            right.setRange(0.0, 1.0);
        }
        XYPlot plot = new XYPlot(losses, x, left, lines(losses.getSeriesCount(), LOSS, VAL_LOSS));
        plot.setRangeAxis(1, right);
        plot.setDataset(1, accuracies);
        plot.mapDatasetToRangeAxis(1, 1);
        plot.setRenderer(1, lines(accuracies.getSeriesCount(), ACCURACY, VAL_ACCURACY));
        if (history.metricNames().contains("learning_rate")) {
            double[] rates = history.series("learning_rate");
            plot.setRangeAxis(2, learningRateAxis(rates));
            plot.setRangeAxisLocation(2, AxisLocation.BOTTOM_OR_RIGHT);
            plot.setDataset(2, new XYSeriesCollection(series("learning_rate", epochs, rates)));
            plot.mapDatasetToRangeAxis(2, 2);
            XYStepRenderer step = new XYStepRenderer();
            step.setSeriesPaint(0, LEARNING_RATE);
            step.setSeriesStroke(0, DASHED);
            plot.setRenderer(2, step);
        }
        style(plot);
        OptionalInt best = bestEpoch(history);
        // the best epoch's label at the top, right of its line; the stop's at the bottom, left of it
        best.ifPresent(e -> mark(plot, e, "best epoch " + e, BEST, TextAnchor.TOP_LEFT, RectangleAnchor.TOP_RIGHT));
        history.stop().filter(r -> !r.reason().equals(StopReason.MAX_EPOCHS))
                .ifPresent(r -> mark(plot, r.epoch(), "stopped at epoch " + r.epoch(), STOPPED, TextAnchor.BOTTOM_RIGHT,
                        RectangleAnchor.BOTTOM_LEFT));
        return chart(title, plot);
    }

    /**
     * Draws one metric of several runs, epochs on a log scale so that short and long runs both
     * show, with a dot where each run ended.
     *
     * @param runs run names to histories, drawn in this order
     * @param metric the metric, such as {@code val_loss}
     * @param title the chart's title
     * @return the chart
     */
    public static JFreeChart overlay(Map<String, History> runs, String metric, String title) {
        Objects.requireNonNull(runs, "runs");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(title, "title");
        XYSeriesCollection lines = new XYSeriesCollection();
        XYSeriesCollection ends = new XYSeriesCollection();
        int maxEpoch = 2;
        for (Map.Entry<String, History> run : runs.entrySet()) {
            History h = run.getValue();
            int[] epochs = h.epochNumbers();
            if (epochs.length == 0) {
                continue;
            }
            int last = epochs[epochs.length - 1];
            maxEpoch = Math.max(maxEpoch, last);
            double[] values = h.series(metric);
            boolean early = h.stop().filter(r -> !r.reason().equals(StopReason.MAX_EPOCHS)).isPresent();
            lines.addSeries(series(run.getKey() + (early ? ": stopped at epoch " : ": ran to epoch ") + last, epochs, values));
            XYSeries end = new XYSeries(run.getKey() + " end", false, true);
            end.add(last, values[values.length - 1]);
            ends.addSeries(end);
        }
        LogAxis x = new LogAxis("epoch (log scale)");
        x.setBase(10);
        x.setSmallestValue(1);
        x.setRange(0.9, maxEpoch * 1.1);
        x.setLabelFont(LABEL);
        x.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
        NumberAxis y = new NumberAxis(metric);
        y.setLabelFont(LABEL);
        y.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, false);
        XYLineAndShapeRenderer dotRenderer = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < lines.getSeriesCount(); i++) {
            Color color = RUNS[i % RUNS.length];
            lineRenderer.setSeriesPaint(i, color);
            // shorter runs wider and drawn later: runs share their early path, and each stays visible
            int longer = 0;
            for (int j = 0; j < lines.getSeriesCount(); j++) {
                if (lines.getSeries(j).getItemCount() > lines.getSeries(i).getItemCount()) {
                    longer++;
                }
            }
            lineRenderer.setSeriesStroke(i, new BasicStroke(1.5f + 2.5f * longer));
            dotRenderer.setSeriesPaint(i, color);
            dotRenderer.setSeriesShape(i, new Ellipse2D.Double(-6, -6, 12, 12));
            dotRenderer.setSeriesVisibleInLegend(i, false);
        }
        XYPlot plot = new XYPlot(lines, x, y, lineRenderer);
        plot.setDataset(1, ends);
        plot.setRenderer(1, dotRenderer);
        plot.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD);
        plot.setDatasetRenderingOrder(org.jfree.chart.plot.DatasetRenderingOrder.FORWARD);
        style(plot);
        return chart(title, plot);
    }

    /**
     * Writes a chart as a PNG of {@link #WIDTH} x {@link #HEIGHT} pixels, atomically.
     *
     * @param chart the chart
     * @param file the target
     * @throws IOException when writing fails
     */
    public static void write(JFreeChart chart, Path file) throws IOException {
        Objects.requireNonNull(chart, "chart");
        Objects.requireNonNull(file, "file");
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(png, chart, WIDTH, HEIGHT);
        AtomicFiles.write(file, png.toByteArray());
    }

    /**
     * Renders a tiny chart so that Java2D, its fonts and its shutdown hooks are set up now. A
     * program that may have to draw a chart while the JVM shuts down (after Ctrl-C) calls this
     * first: Java2D cannot register its hooks once shutdown has begun.
     */
    public static void warmUp() {
        try {
            History empty = History.of(java.util.List.of(io.epochflux.train.EpochMetrics.of(1, Map.of("loss", 1.0))));
            ChartUtils.writeChartAsPNG(new ByteArrayOutputStream(), history(empty, "warm-up"), 64, 48);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static XYSeries series(String name, int[] epochs, double[] values) {
        XYSeries s = new XYSeries(name, false, true);
        for (int i = 0; i < epochs.length; i++) {
            s.add(epochs[i], values[i], false);
        }
        return s;
    }

    private static ValueAxis learningRateAxis(double[] rates) {
        double min = Double.POSITIVE_INFINITY;
        for (double r : rates) {
            if (!Double.isNaN(r)) {
                min = Math.min(min, r);
            }
        }
        // a rate of 0 has no place on a log axis
        ValueAxis axis;
        if (min > 0 && Double.isFinite(min)) {
            LogAxis log = new LogAxis("learning rate");
            log.setSmallestValue(min / 2);
            axis = log;
        } else {
            NumberAxis linear = new NumberAxis("learning rate");
            linear.setAutoRangeIncludesZero(true);
            axis = linear;
        }
        axis.setLabelFont(LABEL);
        axis.setLabelPaint(LEARNING_RATE);
        return axis;
    }

    private static NumberAxis epochAxis(int lastEpoch) {
        NumberAxis x = new NumberAxis("epoch");
        x.setLabelFont(LABEL);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(0, Math.max(lastEpoch, 2));
        if (lastEpoch <= 10) {
            x.setTickUnit(new NumberTickUnit(1));
        }
        return x;
    }

    private static XYLineAndShapeRenderer lines(int count, Color train, Color validation) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < count; i++) {
            r.setSeriesPaint(i, i == 0 ? train : validation);
            r.setSeriesStroke(i, new BasicStroke(i == 0 ? 1.5f : 2f));
        }
        return r;
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(220, 220, 220));
        plot.setRangeGridlinePaint(new Color(220, 220, 220));
        plot.setOutlineVisible(false);
    }

    private static JFreeChart chart(String title, XYPlot plot) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemFont(LABEL);
        legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        TextTitle t = chart.getTitle();
        t.setPaint(Color.BLACK);
        return chart;
    }

    private static OptionalInt bestEpoch(History history) {
        OptionalInt fromReport = history.stop().map(StopReport::bestEpoch).orElse(OptionalInt.empty());
        boolean onValLoss = history.stop().flatMap(StopReport::monitor).map("val_loss"::equals).orElse(false);
        return fromReport.isPresent() && onValLoss ? fromReport : history.argMin("val_loss");
    }

    private static void mark(XYPlot plot, int epoch, String label, Color color, TextAnchor text, RectangleAnchor anchor) {
        ValueMarker marker = new ValueMarker(epoch, color, DASHED);
        marker.setLabel(label);
        marker.setLabelFont(MARKER);
        marker.setLabelPaint(color);
        marker.setLabelAnchor(anchor);
        marker.setLabelTextAnchor(text);
        marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        plot.addDomainMarker(marker);
    }
}
