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

    /**
     * Formats a duration for people: {@code 412us}, {@code 232ms}, {@code 1.5s}, {@code 1m30s},
     * {@code 2h}, {@code 1h5m}; not ISO-8601's {@code PT0.232515023S}. Below a minute it keeps three
     * significant places at most; from a minute on, whole seconds.
     *
     * @param d the duration
     * @return the short form; a negative duration gets a leading {@code -}
     */
    public static String human(Duration d) {
        if (d.isNegative()) {
            return "-" + human(d.negated());
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            long nanos = d.toNanos();
            if (nanos < 1000) {
                return nanos + "ns";
            }
            return nanos < 1_000_000 ? Math.round(nanos / 1e3) + "us" : Math.round(nanos / 1e6) + "ms";
        }
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            double seconds = d.toNanos() / 1e9;
            String s = seconds < 10 ? String.format(java.util.Locale.ROOT, "%.2f", seconds)
                    : String.format(java.util.Locale.ROOT, "%.1f", seconds);
            s = s.replaceAll("\\.?0+$", "");
            return s + "s";
        }
        long total = d.getSeconds() + (d.getNano() >= 500_000_000 ? 1 : 0);
        long h = total / 3600;
        long m = total % 3600 / 60;
        long sec = total % 60;
        StringBuilder sb = new StringBuilder();
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (sec > 0) {
            sb.append(sec).append('s');
        }
        return sb.toString();
    }
}
