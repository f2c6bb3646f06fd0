package io.epochflux.sweep;

import reactor.core.publisher.Mono;

import java.util.Arrays;

/**
 * The per-sweep state of a pruner. Trials report from their training threads; the state answers
 * at once, or later (a rung that is not full yet) with a {@link Mono} that a later report resolves.
 * Implementations keep their critical sections short and resolve waiting trials outside them, so
 * no trial's downstream runs under another trial's lock.
 */
interface PrunerState {

    /**
     * A trial's report at the end of an epoch.
     *
     * @param trial the trial
     * @param epoch the epoch, 1-based (Optuna's step)
     * @param value the epoch's {@code val_loss}, NaN if none
     * @param best the lowest {@code val_loss} the trial reached so far, NaN if none
     * @param ended whether the trial's stream ends on this epoch by itself (early stopping, the
     *              epoch limit): the answer is then ignored, the trial counts with {@code best}
     * @return the decision, now or later
     */
    Verdict report(Trial trial, int epoch, double value, double best, boolean ended);

    /** What a pruner decided for one report. */
    record Decision(boolean prune, int rung, String message) {
        static final Decision CONTINUE = new Decision(false, -1, "");
    }

    /** A decision now, or one that comes when the rung is decided. */
    record Verdict(Decision now, Mono<Decision> later) {
        static final Verdict CONTINUE = new Verdict(Decision.CONTINUE, null);

        static Verdict now(Decision d) {
            return new Verdict(d, null);
        }

        static Verdict later(Mono<Decision> d) {
            return new Verdict(null, d);
        }
    }

    /** The state of {@link Pruner#none()}. */
    PrunerState NONE = (trial, epoch, value, best, ended) -> Verdict.CONTINUE;

    /**
     * numpy's {@code nanpercentile} with its default linear interpolation.
     *
     * @param values the values; NaNs are ignored
     * @param percentile 0 to 100
     * @return the percentile, NaN when no value is a number
     */
    static double percentile(double[] values, double percentile) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        double pos = percentile / 100.0 * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }

    /** Formats a loss for a message. */
    static String f(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
