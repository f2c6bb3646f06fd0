package io.epochflux.report;

import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A base-10 log axis ticked where people read a log scale: at 1, 2 and 5 times a power of ten when
 * the range spans at most {@value #ONE_TWO_FIVE_DECADES} decades (also 1.5, 3 and 7 on a range of
 * about a decade), else at the powers of ten only (with 2 and 5 as unlabelled minor ticks). JFreeChart's own {@link LogAxis} ticks at fractional
 * exponents (63, 158, 1,585, ...).
 */
final class ReadableLogAxis extends LogAxis {

    private static final long serialVersionUID = 1L;
    /** Up to this many decades every 1, 2 and 5 is labelled. */
    static final double ONE_TWO_FIVE_DECADES = 4.2;

    ReadableLogAxis(String label) {
        super(label);
        setBase(10);
        setMinorTickMarksVisible(true);
    }

    @Override
    protected List refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        return ticks(edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER);
    }

    @Override
    protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        return ticks(edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT : TextAnchor.CENTER_RIGHT);
    }

    private List<ValueTick> ticks(TextAnchor anchor) {
        List<ValueTick> ticks = new ArrayList<>();
        for (double v : tickValues(getLowerBound(), getUpperBound())) {
            boolean major = labelled(v, getLowerBound(), getUpperBound());
            ticks.add(new NumberTick(major ? TickType.MAJOR : TickType.MINOR, v, major ? format(v) : "", anchor,
                    anchor, 0.0));
        }
        return ticks;
    }

    /**
     * Every 1, 2 and 5 times a power of ten within [lower, upper]; on a range too short for four of
     * those (about a decade), every 1, 1.5, 2, 3, 5 and 7.
     */
    static List<Double> tickValues(double lower, double upper) {
        List<Double> values = tickValues(lower, upper, new String[] {"1", "2", "5"});
        return values.size() >= 4 ? values : tickValues(lower, upper, new String[] {"1", "1.5", "2", "3", "5", "7"});
    }

    private static List<Double> tickValues(double lower, double upper, String[] mantissas) {
        List<Double> values = new ArrayList<>();
        if (!(lower > 0) || !(upper > lower)) {
            return values;
        }
        int first = (int) Math.floor(Math.log10(lower));
        int last = (int) Math.ceil(Math.log10(upper));
        for (int e = first; e <= last; e++) {
            for (String m : mantissas) {
                // from the decimal string, so 0.2 is 0.2 and not 0.20000000000000004
                double v = new BigDecimal(m).scaleByPowerOfTen(e).doubleValue();
                if (v >= lower * (1 - 1e-9) && v <= upper * (1 + 1e-9)) {
                    values.add(v);
                }
            }
        }
        return values;
    }

    /** Whether a tick carries a label: all of 1-2-5 on short ranges, the powers of ten on long ones. */
    static boolean labelled(double v, double lower, double upper) {
        if (Math.log10(upper / lower) <= ONE_TWO_FIVE_DECADES) {
            return true;
        }
        double e = Math.log10(v);
        return Math.abs(e - Math.rint(e)) < 1e-9;
    }

    /** 1,000 / 20 / 0.5 / 0.002 / 1e-5: plain decimals down to 0.0001, then powers of ten. */
    static String format(double v) {
        if (v >= 1) {
            return new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(v);
        }
        if (v >= 1e-4) {
            return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        }
        BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        BigDecimal mantissa = d.scaleByPowerOfTen(-exponent).stripTrailingZeros();
        return mantissa.toPlainString() + "e" + exponent;
    }
}
