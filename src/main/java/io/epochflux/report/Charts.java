package io.epochflux.report;

import io.epochflux.internal.AtomicFiles;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.title.LegendTitle;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * PNG charts of training histories, drawn with JFreeChart. One run's chart stacks panels that share
 * the epoch axis: loss over the validation loss, accuracy (mae for a regression) over its
 * validation twin, and the learning rate when the epochs carry one. Training curves are solid and
 * validation curves dashed in the same colour; the best epoch, the stop and restored weights are
 * marked and named in the legend. The overlay draws one metric and its training twin for several
 * runs, one colour a run, epochs on a log scale ticked at 1, 2 and 5.
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
    private static final Color METRIC = new Color(44, 160, 44);
    private static final Color BEST = new Color(214, 39, 40);
    private static final Color STOPPED = new Color(90, 90, 90);
    private static final Color RESTORED = new Color(255, 127, 14);
    private static final Color LEARNING_RATE = new Color(148, 103, 189);
    private static final Color KEY = new Color(70, 70, 70);
    private static final Color GRID = new Color(225, 225, 225);
    // one colour a run; red is kept for the best-epoch marks
    private static final Color[] RUNS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
        new Color(23, 190, 207)};
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font MARKER = new Font(Font.SANS_SERIF, Font.BOLD, 12);
    /** The share of the data's span added above and below it. */
    private static final double MARGIN = 0.06;
    /** Values spanning this factor or more may get a log axis, see {@link #fittedAxis}. */
    static final double LOG_RATIO = 5;
    /** The share of a linear axis's span that holds half the values when the axis is log instead. */
    static final double CROWDED = 0.15;

    private Charts() {
    }

    /**
     * Draws one run as stacked panels on one epoch axis: loss (solid) and val_loss (dashed); then
     * accuracy and val_accuracy, or mae and val_mae for a regression; then, when the epochs carry
     * {@code learning_rate} (a learning-rate operator was in the chain), the rate in force as a step
     * line on a log axis (linear when a rate is 0). Each panel's y range is fitted to its data with a
     * small margin. A dotted line marks the best epoch (the stop report's, else the lowest
     * val_loss), with a diamond on val_loss; a grey line marks the epoch where a rule stopped the
     * run; a ring marks the epoch whose weights were restored.
     *
     * @param history the run
     * @param title the chart's title, such as the run's settings
     * @return the chart
     */
    public static JFreeChart history(History history, String title) {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(title, "title");
        int[] epochs = history.epochNumbers();
        Set<String> names = history.metricNames();
        // a regression's epochs carry mae where a classification's carry accuracy
        boolean regression = names.contains("mae") && !names.contains("accuracy");
        String metric = regression ? "mae" : "accuracy";
        int last = epochs.length == 0 ? 1 : epochs[epochs.length - 1];
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis(last));
        plot.setGap(12);
        LegendItemCollection legend = new LegendItemCollection();

        XYPlot loss = pairPanel(history, epochs, "loss", LOSS, 0, Double.POSITIVE_INFINITY, legend);
        plot.add(loss, 5);
        if (names.contains(metric) || names.contains("val_" + metric)) {
            // accuracy lies in [0, 1]; mae, like loss, is never below 0
            plot.add(pairPanel(history, epochs, metric, METRIC, 0, regression ? Double.POSITIVE_INFINITY : 1, legend), 3);
        }
        if (names.contains("learning_rate")) {
            double[] rates = history.series("learning_rate");
            XYPlot lr = new XYPlot(new XYSeriesCollection(series("learning_rate", epochs, rates)), null,
                    learningRateAxis(rates), null);
            XYStepRenderer step = new XYStepRenderer();
            step.setSeriesPaint(0, LEARNING_RATE);
            step.setSeriesStroke(0, new BasicStroke(2f));
            lr.setRenderer(step);
            style(lr);
            plot.add(lr, 2);
            legend.add(lineItem("learning rate", LEARNING_RATE, new BasicStroke(2f)));
        }

        OptionalInt best = bestEpoch(history);
        Optional<StopReport> stop = history.stop().filter(r -> !r.reason().equals(StopReason.MAX_EPOCHS));
        OptionalInt restored = history.stop().map(StopReport::restoredFromEpoch).orElse(OptionalInt.empty());
        XYSeriesCollection marks = new XYSeriesCollection();
        XYLineAndShapeRenderer markRenderer = new XYLineAndShapeRenderer(false, true);
        double[] val = names.contains("val_loss") ? history.series("val_loss") : null;
        if (best.isPresent()) {
            int e = best.getAsInt();
            double v = val == null ? Double.NaN : valueAt(epochs, val, e);
            legend.add(markItem("best epoch " + e + (Double.isFinite(v) ? " (val_loss " + number(v) + ")" : ""), diamond(7),
                    BEST, true, dotted(1.5f)));
            if (Double.isFinite(v)) {
                addMark(marks, markRenderer, "best", e, v, diamond(7), BEST, true);
            }
        }
        if (stop.isPresent()) {
            legend.add(markItem("stopped at epoch " + stop.get().epoch() + " (" + stop.get().reason() + ")", null,
                    STOPPED, false, new BasicStroke(1.5f)));
        }
        if (restored.isPresent()) {
            int e = restored.getAsInt();
            double v = val == null ? Double.NaN : valueAt(epochs, val, e);
            legend.add(markItem("weights of epoch " + e + " restored", ring(9), RESTORED, false, null));
            if (Double.isFinite(v)) {
                addMark(marks, markRenderer, "restored", e, v, ring(9), RESTORED, false);
            }
        }
        loss.setDataset(1, marks);
        loss.setRenderer(1, markRenderer);
        loss.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);

        boolean top = true;
        for (XYPlot panel : plot.getSubplots()) {
            // labels on the top panel only, on the side of the line that has room
            if (best.isPresent()) {
                mark(panel, best.getAsInt(), top ? "best epoch " + best.getAsInt() : null, BEST, dotted(1.5f), 0, last);
            }
            if (stop.isPresent()) {
                mark(panel, stop.get().epoch(), top ? "stopped at epoch " + stop.get().epoch() : null, STOPPED,
                        new BasicStroke(1.5f), 1, last);
            }
            top = false;
        }
        plot.setFixedLegendItems(legend);
        return chart(title, plot);
    }

    /**
     * Draws one metric of several runs, epochs on a log scale (ticked at 1, 2 and 5) so that short
     * and long runs both show. Each run has one colour: the metric dashed, its training twin (loss
     * for val_loss) solid when the runs carry it, a dot where the run ended, a diamond at its lowest
     * value and a ring at an epoch whose weights were restored. The y range is fitted to the curves.
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
        String train = metric.startsWith("val_") ? metric.substring(4) : null;
        List<Map.Entry<String, History>> drawn = new ArrayList<>();
        runs.entrySet().forEach(e -> {
            if (e.getValue().size() > 0) {
                drawn.add(e);
            }
        });
        // shorter runs wider and drawn first, longer ones narrower on top: runs that share their
        // early path (the same seed) stay visible as nested bands
        List<Map.Entry<String, History>> byLength = new ArrayList<>(drawn);
        byLength.sort((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()));
        XYSeriesCollection lines = new XYSeriesCollection();
        XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, false);
        // one path a series, so a dash pattern runs on along thousands of short segments
        lineRenderer.setDrawSeriesLineAsPath(true);
        XYSeriesCollection marks = new XYSeriesCollection();
        XYLineAndShapeRenderer markRenderer = new XYLineAndShapeRenderer(false, true);
        LegendItemCollection legend = new LegendItemCollection();
        int maxEpoch = 2;
        boolean anyTrain = false;
        boolean anyRestored = false;
        List<Double> values = new ArrayList<>();
        for (int rank = 0; rank < byLength.size(); rank++) {
            History h = byLength.get(rank).getValue();
            String name = byLength.get(rank).getKey();
            Color color = RUNS[drawn.indexOf(byLength.get(rank)) % RUNS.length];
            int[] epochs = h.epochNumbers();
            maxEpoch = Math.max(maxEpoch, epochs[epochs.length - 1]);
            float width = 1.5f + 2.5f * (byLength.size() - 1 - rank);
            if (train != null && h.metricNames().contains(train)) {
                anyTrain = true;
                double[] t = h.series(train);
                collect(values, t);
                lineRenderer.setSeriesPaint(lines.getSeriesCount(), color);
                lineRenderer.setSeriesStroke(lines.getSeriesCount(), new BasicStroke(width));
                lines.addSeries(series(name + " " + train, epochs, t));
            }
            double[] v = h.series(metric);
            collect(values, v);
            lineRenderer.setSeriesPaint(lines.getSeriesCount(), color);
            lineRenderer.setSeriesStroke(lines.getSeriesCount(), dashed(width));
            lines.addSeries(series(name + " " + metric, epochs, v));
            addMark(marks, markRenderer, name + " end", epochs[epochs.length - 1], v[v.length - 1], dot(6), color, true);
            OptionalInt best = metric.equals("val_loss") ? bestEpoch(h) : h.argMin(metric);
            if (best.isPresent() && Double.isFinite(valueAt(epochs, v, best.getAsInt()))) {
                addMark(marks, markRenderer, name + " best", best.getAsInt(), valueAt(epochs, v, best.getAsInt()),
                        diamond(7), color, true);
                markRenderer.setSeriesOutlinePaint(marks.getSeriesCount() - 1, Color.BLACK);
            }
            OptionalInt restored = h.stop().map(StopReport::restoredFromEpoch).orElse(OptionalInt.empty());
            if (restored.isPresent() && Double.isFinite(valueAt(epochs, v, restored.getAsInt()))) {
                anyRestored = true;
                addMark(marks, markRenderer, name + " restored", restored.getAsInt(),
                        valueAt(epochs, v, restored.getAsInt()), ring(10), color, false);
            }
        }
        for (Map.Entry<String, History> run : drawn) {
            History h = run.getValue();
            int last = h.epochNumbers()[h.size() - 1];
            boolean early = h.stop().filter(r -> !r.reason().equals(StopReason.MAX_EPOCHS)).isPresent();
            OptionalInt best = metric.equals("val_loss") ? bestEpoch(h) : h.argMin(metric);
            legend.add(lineItem(run.getKey() + (early ? ": stopped at epoch " : ": ran to epoch ") + last
                    + (best.isPresent() ? ", best " + best.getAsInt() : ""),
                    RUNS[drawn.indexOf(run) % RUNS.length], new BasicStroke(4f)));
        }
        if (anyTrain) {
            legend.add(lineItem(train + " (solid)", KEY, new BasicStroke(2f)));
        }
        legend.add(lineItem(metric + " (dashed)", KEY, dashed(2f)));
        legend.add(markItem("best epoch", diamond(6), KEY, true, null));
        legend.add(markItem("last epoch", dot(5), KEY, true, null));
        if (anyRestored) {
            legend.add(markItem("weights restored", ring(8), KEY, false, null));
        }

        ReadableLogAxis x = new ReadableLogAxis("epoch (log scale)");
        x.setSmallestValue(1);
        x.setRange(0.9, maxEpoch * 1.15);
        x.setLabelFont(LABEL);
        NumberAxis y = new NumberAxis(anyTrain ? train + " and " + metric : metric);
        y.setLabelFont(LABEL);
        fit(y, values, 0, Double.POSITIVE_INFINITY);
        XYPlot plot = new XYPlot(lines, x, y, lineRenderer);
        plot.setDataset(1, marks);
        plot.setRenderer(1, markRenderer);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        style(plot);
        plot.setFixedLegendItems(legend);
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

    // ---------------------------------------------------------------- panels

    /** A panel of a metric (solid) and its validation twin (dashed) in one colour, fitted to them. */
    private static XYPlot pairPanel(History history, int[] epochs, String metric, Color color, double floor,
                                    double ceiling, LegendItemCollection legend) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setDrawSeriesLineAsPath(true);
        List<Double> values = new ArrayList<>();
        for (String name : new String[] {metric, "val_" + metric}) {
            if (history.metricNames().contains(name)) {
                double[] v = history.series(name);
                collect(values, v);
                Stroke stroke = name.equals(metric) ? new BasicStroke(2f) : dashed(2f);
                r.setSeriesPaint(data.getSeriesCount(), color);
                r.setSeriesStroke(data.getSeriesCount(), stroke);
                data.addSeries(series(name, epochs, v));
                legend.add(lineItem(name + (name.equals(metric) ? " (training)" : " (validation)"), color, stroke));
            }
        }
        XYPlot plot = new XYPlot(data, null, fittedAxis(metric, values, floor, ceiling), r);
        style(plot);
        return plot;
    }

    /** The learning rate's axis: log, ticked at 1, 2 and 5, unless a rate is 0. */
    private static ValueAxis learningRateAxis(double[] rates) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (double r : rates) {
            if (Double.isFinite(r)) {
                min = Math.min(min, r);
                max = Math.max(max, r);
            }
        }
        ValueAxis axis;
        if (min > 0 && Double.isFinite(min)) {
            ReadableLogAxis log = new ReadableLogAxis("learning rate");
            log.setSmallestValue(min / 10);
            // at least one 1-2-5 tick in view: a constant rate of 0.01 gets [0.005, 0.02]
            log.setRange(min / (max > min ? 1.3 : 2), max * (max > min ? 1.3 : 2));
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
        x.setRange(0, Math.max(lastEpoch, 2) * 1.01);
        if (lastEpoch <= 10) {
            x.setTickUnit(new NumberTickUnit(1));
        }
        return x;
    }

    /**
     * A y axis fitted to the values: linear, or log (ticked at 1, 2 and 5) when the first epochs
     * would flatten the rest on a linear one: the values all positive, spanning a factor of
     * {@value #LOG_RATIO} or more, and half of them in the lowest {@value #CROWDED} of the span.
     */
    static ValueAxis fittedAxis(String label, List<Double> values, double floor, double ceiling) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double lo = sorted.length == 0 ? Double.NaN : sorted[0];
        double hi = sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
        double median = sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
        if (lo > 0 && hi / lo >= LOG_RATIO && (median - lo) / (hi - lo) < CROWDED) {
            ReadableLogAxis log = new ReadableLogAxis(label + " (log scale)");
            double pad = Math.pow(hi / lo, MARGIN);
            log.setSmallestValue(lo / pad / 10);
            log.setRange(lo / pad, hi * pad);
            log.setLabelFont(LABEL);
            return log;
        }
        NumberAxis y = new NumberAxis(label);
        y.setLabelFont(LABEL);
        fit(y, values, floor, ceiling);
        return y;
    }

    /** Fits an axis to the finite values with {@link #MARGIN} on each side, kept within [floor, ceiling]. */
    static void fit(NumberAxis axis, List<Double> values, double floor, double ceiling) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        axis.setAutoRangeIncludesZero(false);
        if (lo > hi) {
            return; // nothing finite: leave JFreeChart's default
        }
        double pad = hi > lo ? (hi - lo) * MARGIN : Math.max(Math.abs(hi) * 0.05, 1e-3);
        axis.setRange(Math.max(floor, lo - pad), Math.min(ceiling, hi + pad));
    }

    private static void collect(List<Double> into, double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                into.add(v);
            }
        }
    }

    /** 0.5421, 12.35, 3,062: four decimals for small values, whole numbers from 1,000 on. */
    static String number(double v) {
        return Math.abs(v) >= 1000 ? String.format(Locale.ROOT, "%,.0f", v)
                : Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    private static double valueAt(int[] epochs, double[] values, int epoch) {
        for (int i = 0; i < epochs.length; i++) {
            if (epochs[i] == epoch) {
                return values[i];
            }
        }
        return Double.NaN;
    }

    private static XYSeries series(String name, int[] epochs, double[] values) {
        XYSeries s = new XYSeries(name, false, true);
        for (int i = 0; i < epochs.length; i++) {
            // a non-finite value is a gap in the line, not a point off the chart
            s.add(epochs[i], Double.isFinite(values[i]) ? values[i] : Double.NaN, false);
        }
        return s;
    }

    private static void addMark(XYSeriesCollection marks, XYLineAndShapeRenderer renderer, String name, int epoch,
                                double value, Shape shape, Color color, boolean filled) {
        XYSeries s = new XYSeries(name, false, true);
        s.add(epoch, value);
        int i = marks.getSeriesCount();
        marks.addSeries(s);
        renderer.setSeriesShape(i, shape);
        renderer.setSeriesPaint(i, color);
        renderer.setSeriesShapesFilled(i, filled);
        renderer.setSeriesOutlineStroke(i, new BasicStroke(2f));
        renderer.setUseOutlinePaint(filled);
        renderer.setSeriesOutlinePaint(i, filled ? Color.WHITE : color);
        renderer.setSeriesVisibleInLegend(i, false);
    }

    // ---------------------------------------------------------------- marks and legend

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlineVisible(false);
    }

    private static JFreeChart chart(String title, XYPlot plot) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemFont(LABEL);
        legend.setFrame(BlockBorder.NONE);
        TextTitle t = chart.getTitle();
        t.setPaint(Color.BLACK);
        return chart;
    }

    private static OptionalInt bestEpoch(History history) {
        OptionalInt fromReport = history.stop().map(StopReport::bestEpoch).orElse(OptionalInt.empty());
        boolean onValLoss = history.stop().flatMap(StopReport::monitor).map("val_loss"::equals).orElse(false);
        return fromReport.isPresent() && onValLoss ? fromReport : history.argMin("val_loss");
    }

    /**
     * A vertical line at an epoch; its label, when given, sits on the side of the line with more
     * room (left of it past the middle), in the given row from the top, so it is never cut.
     */
    private static void mark(XYPlot plot, int epoch, String label, Color color, Stroke stroke, int row, int lastEpoch) {
        ValueMarker marker = new ValueMarker(epoch, color, stroke);
        if (label != null) {
            boolean left = epoch > 0.55 * lastEpoch;
            marker.setLabel(label);
            marker.setLabelFont(MARKER);
            marker.setLabelPaint(color);
            marker.setLabelAnchor(left ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(left ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
            marker.setLabelOffset(new RectangleInsets(4 + 16 * row, 4, 4, 4));
            marker.setLabelBackgroundColor(new Color(255, 255, 255, 200));
        }
        plot.addDomainMarker(marker);
    }

    static Stroke dashed(float width) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 4f}, 0f);
    }

    static Stroke dotted(float width) {
        return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[] {1f, 4f}, 0f);
    }

    static Shape diamond(double r) {
        Path2D p = new Path2D.Double();
        p.moveTo(0, -r);
        p.lineTo(r, 0);
        p.lineTo(0, r);
        p.lineTo(-r, 0);
        p.closePath();
        return p;
    }

    static Shape dot(double r) {
        return new Ellipse2D.Double(-r, -r, 2 * r, 2 * r);
    }

    static Shape ring(double r) {
        return new Ellipse2D.Double(-r, -r, 2 * r, 2 * r);
    }

    static LegendItem lineItem(String label, Color color, Stroke stroke) {
        LegendItem item = new LegendItem(label, null, null, null, false, dot(1), false, color, false, color,
                new BasicStroke(1f), true, new Line2D.Double(-14, 0, 14, 0), stroke, color);
        item.setLabelFont(LABEL);
        return item;
    }

    static LegendItem markItem(String label, Shape shape, Color color, boolean filled, Stroke line) {
        boolean hasShape = shape != null;
        LegendItem item = new LegendItem(label, null, null, null, hasShape, hasShape ? shape : dot(1), filled, color,
                hasShape && !filled, color, new BasicStroke(2f), line != null, new Line2D.Double(0, -8, 0, 8),
                line == null ? new BasicStroke(1f) : line, color);
        item.setLabelFont(LABEL);
        return item;
    }
}
