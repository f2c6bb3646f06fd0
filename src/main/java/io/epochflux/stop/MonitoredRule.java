package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A stop rule's view of the one metric it tracks: which metric, which way it should go, the
 * patience when it is counted in epochs, and fresh per-run {@link Tracker}s that follow a stream
 * as the rule does, without stopping it. Monitoring (gauges of the best value and the wait) is
 * built on this, so it follows any rule that tracks a best value, not only
 * {@link EarlyStopping}.
 *
 * <p>{@link EarlyStopping} is one; {@link StopWhen#noImprovementFor} has one, found with
 * {@link #within(StopRule)}, which also looks inside {@link StopRule#anyOf} and
 * {@link StopRule#allOf} compositions.
 */
public interface MonitoredRule {

    /** @return the name of the metric the rule tracks, such as {@code val_loss} */
    String monitor();

    /** @return {@link Mode#MIN} or {@link Mode#MAX}, AUTO already resolved */
    Mode mode();

    /**
     * Returns the number of non-improving epochs the rule tolerates, when its patience is counted
     * in epochs. ({@link EarlyStopping#patience()} keeps its {@code int} form for the rule's own
     * API.)
     *
     * @return the patience in epochs, or empty when the rule's patience is not a number of epochs
     *         (a duration, as {@link StopWhen#noImprovementFor})
     */
    OptionalInt patienceEpochs();

    /**
     * Returns fresh state for one run, following the metric exactly as the rule does.
     *
     * @return a new tracker; two calls never share state
     */
    Tracker newTracker();

    /**
     * Returns the monitored rules a rule is, or is composed of, in argument order: the rule itself
     * when it is a {@code MonitoredRule}, the one a {@link StopWhen} rule carries (as
     * {@link StopWhen#noImprovementFor} does), and those inside {@link StopRule#anyOf} and
     * {@link StopRule#allOf}, however deeply nested.
     *
     * @param rule any stop rule
     * @return the monitored rules found, possibly none
     */
    static List<MonitoredRule> within(StopRule rule) {
        Objects.requireNonNull(rule, "rule");
        List<MonitoredRule> found = new ArrayList<>();
        collect(rule, found);
        return List.copyOf(found);
    }

    private static void collect(StopRule rule, List<MonitoredRule> found) {
        if (rule instanceof MonitoredRule m) {
            found.add(m);
        } else if (rule instanceof StopWhen w) {
            w.monitored().ifPresent(found::add);
        } else if (rule instanceof Composite c) {
            for (StopRule r : c.rules()) {
                collect(r, found);
            }
        }
    }

    /**
     * One run's view of the monitored metric, as the rule sees it: the best value, its epoch and
     * the wait counter. Not thread-safe: feed it from one thread, one epoch at a time.
     */
    interface Tracker {

        /**
         * Follows one epoch.
         *
         * @param epoch the epoch
         * @return true when the rule would stop the stream on this epoch
         * @throws MissingMetricException when the epoch lacks the metric and the rule fails on
         *         that; check {@code epoch.value(monitor())} first to ignore such epochs
         */
        boolean observe(EpochMetrics epoch);

        /** @return the best value so far, empty until a value improved */
        OptionalDouble best();

        /** @return the epoch of the best value, empty until a value improved */
        OptionalInt bestEpoch();

        /** @return the monitored epochs since the metric last improved */
        int waited();
    }
}
