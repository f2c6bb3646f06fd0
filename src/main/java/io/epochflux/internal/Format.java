package io.epochflux.internal;

import java.time.Duration;

/** Number formatting for the progress lines and files, without {@code String.format}'s cost per epoch. */
public final class Format {

    private Format() {
    }

    /**
     * Appends a value with four decimals, Keras-style: {@code nan}, {@code inf} and {@code -inf} as words.
     *
     * @param sb where to append
     * @param v the value
     * @return {@code sb}
     */
    public static StringBuilder fixed4(StringBuilder sb, double v) {
        if (Double.isNaN(v)) {
            return sb.append("nan");
        }
        if (Double.isInfinite(v)) {
            return sb.append(v > 0 ? "inf" : "-inf");
        }
        double a = Math.abs(v);
        if (a >= 1e14) {
            return sb.append(String.format(java.util.Locale.ROOT, "%.4f", v));
        }
        long scaled = Math.round(a * 10_000);
        if (v < 0 && scaled != 0) {
            sb.append('-');
        }
        sb.append(scaled / 10_000).append('.');
        long fraction = scaled % 10_000;
        if (fraction < 1000) {
            sb.append('0');
        }
        if (fraction < 100) {
            sb.append('0');
        }
        if (fraction < 10) {
            sb.append('0');
        }
        return sb.append(fraction);
    }

    /**
     * Appends a duration as Keras does: {@code 412us}, {@code 3ms}, {@code 2s}.
     *
     * @param sb where to append
     * @param d the duration
     * @return {@code sb}
     */
    public static StringBuilder duration(StringBuilder sb, Duration d) {
        long nanos = d.toNanos();
        if (nanos < 1_000_000) {
            return sb.append(nanos / 1000).append("us");
        }
        if (nanos < 1_000_000_000) {
            return sb.append(Math.round(nanos / 1e6)).append("ms");
        }
        return sb.append(Math.round(nanos / 1e9)).append('s');
    }
}
