package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.ModelSnapshot;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Stops training when a monitored metric has stopped improving, with exactly the semantics of
 * Keras' {@code EarlyStopping} callback, as a Reactor operator.
 *
 * <p>On each epoch: an epoch without the metric is skipped ({@link MissingMetric#SKIP}) or fails
 * the stream ({@link MissingMetric#FAIL}, the default), and warm-up epochs
 * ({@code epoch <= startFromEpoch}) are skipped. Otherwise the wait counter goes up by one. If the
 * value improves strictly on the best so far by more than {@code |minDelta|}
 * ({@code current + |minDelta| < best} for MIN, {@code current - |minDelta| > best} for MAX; the
 * first best is infinitely bad, so the first monitored finite value always improves and NaN
 * never does), it becomes the best (with its snapshot when restoring), and the counter resets to
 * zero unless a baseline is set and the value does not beat it by the same test. A non-improving
 * epoch stops the stream when {@code wait >= patience}, except on epoch 1 (as Keras never stops
 * on its first epoch); so patience 0 behaves like patience 1.
 *
 * <pre>
 *   patience 2, MIN:   val_loss  0.9  0.7  0.8  0.8  0.6 ...
 *                      wait      0    0    1    2
 *   emitted:           --e1--e2--e3--e4(PATIENCE_EXHAUSTED, best e2 = 0.7)|
 * </pre>
 *
 * <p>With {@code restoreBestWeights}, the best epoch's snapshot is restored however the stream
 * ends: this rule's stop, upstream completing (the trainer's epoch limit), another rule or a
 * subscriber cancelling, or an error (restored before the error passes on). As in Keras, if no
 * monitored epoch ever improved (all NaN), the first monitored epoch's weights are the ones
 * restored; if no epoch was monitored, nothing is restored.
 *
 * <p>Immutable; every subscription starts with a fresh counter, so one instance can be shared.
 */
public final class EarlyStopping extends StopRule implements MonitoredRule {

    private final String monitor;
    private final double minDelta;
    private final int patience;
    private final Mode mode;
    private final Double baseline;
    private final boolean restoreBestWeights;
    private final int startFromEpoch;
    private final MissingMetric onMissingMetric;

    private EarlyStopping(Builder b) {
        this.monitor = b.monitor;
        this.minDelta = Math.abs(b.minDelta);
        this.patience = b.patience;
        this.mode = b.mode.resolve(b.monitor);
        this.baseline = b.baseline;
        this.restoreBestWeights = b.restoreBestWeights;
        this.startFromEpoch = b.startFromEpoch;
        this.onMissingMetric = b.onMissingMetric;
    }

    /**
     * Starts a configuration with Keras' defaults: monitor {@code val_loss}, minDelta 0,
     * patience 0, mode AUTO, no baseline, no restoring, no warm-up, and FAIL on a missing metric
     * (Keras only warns; choose {@link MissingMetric#SKIP} for that).
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the monitored metric */
    public String monitor() {
        return monitor;
    }

    /** @return the minimum improvement, {@code >= 0} (the builder's sign is dropped) */
    public double minDelta() {
        return minDelta;
    }

    /** @return epochs without improvement tolerated */
    public int patience() {
        return patience;
    }

    /** @return MIN or MAX, AUTO already resolved */
    public Mode mode() {
        return mode;
    }

    /** @return the value to beat before the wait counter resets, if set */
    public OptionalDouble baseline() {
        return baseline == null ? OptionalDouble.empty() : OptionalDouble.of(baseline);
    }

    /** @return whether the best epoch's weights are restored at the end */
    public boolean restoreBestWeights() {
        return restoreBestWeights;
    }

    /** @return the number of warm-up epochs ignored */
    public int startFromEpoch() {
        return startFromEpoch;
    }

    /** @return what happens on an epoch without the metric */
    public MissingMetric onMissingMetric() {
        return onMissingMetric;
    }

    /**
     * Keras' improvement test: {@code current + |minDelta| < reference} for MIN,
     * {@code current - |minDelta| > reference} for MAX. False for NaN.
     *
     * @param current the new value
     * @param reference the best so far, or the baseline
     * @return whether {@code current} improves on {@code reference}
     */
    public boolean improves(double current, double reference) {
        return mode == Mode.MIN ? current + minDelta < reference : current - minDelta > reference;
    }

    /**
     * Returns fresh state that follows a stream as this rule would, without stopping it: the best
     * value and the wait counter, for gauges.
     *
     * @return a tracker for one run
     */
    @Override
    public Tracker newTracker() {
        return new Tracker();
    }

    /** @return {@link #patience()}: this rule counts its patience in epochs */
    @Override
    public OptionalInt patienceEpochs() {
        return OptionalInt.of(patience);
    }

    @Override
    protected Watch newWatch() {
        return new EarlyStoppingWatch();
    }

    /**
     * Resumes from a state saved by this rule's watch: the best value and its epoch, the wait
     * counter and, when restoring, the best weights.
     *
     * @param saved the saved state
     * @param link the run to restore the saved best weights into
     * @return the watch
     */
    @Override
    protected Watch resume(RuleState saved, io.epochflux.train.RunLink link) {
        EarlyStoppingWatch w = new EarlyStoppingWatch();
        w.tracker.best = saved.get("best");
        w.tracker.bestEpoch = (int) saved.get("best_epoch");
        w.tracker.wait = (int) saved.get("wait");
        w.tracker.monitored = saved.get("monitored") != 0;
        if (restoreBestWeights && saved.weights().isPresent()) {
            w.bestWeightsEpoch = saved.weightsEpoch().getAsInt();
            w.bestWeights = link.snapshotOf(w.bestWeightsEpoch, saved.weights().get());
        }
        return w;
    }

    @Override
    public boolean restoresWeights() {
        return restoreBestWeights;
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("EarlyStopping(monitor=").append(monitor)
                .append(", mode=").append(mode.name().toLowerCase(Locale.ROOT))
                .append(", patience=").append(patience);
        if (minDelta != 0) {
            sb.append(", minDelta=").append(minDelta);
        }
        if (baseline != null) {
            sb.append(", baseline=").append(baseline);
        }
        if (restoreBestWeights) {
            sb.append(", restoreBestWeights=true");
        }
        if (startFromEpoch != 0) {
            sb.append(", startFromEpoch=").append(startFromEpoch);
        }
        if (onMissingMetric != MissingMetric.FAIL) {
            sb.append(", onMissingMetric=").append(onMissingMetric);
        }
        return sb.append(')').toString();
    }

    /**
     * One run's view of the monitored metric as this rule sees it: the best value, its epoch, and
     * the wait counter. Not thread-safe: feed it from one thread.
     */
    public final class Tracker implements MonitoredRule.Tracker {
        private double best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        private int bestEpoch;
        private int wait;
        private boolean monitored;

        private Tracker() {
        }

        /**
         * Follows one epoch.
         *
         * @param epoch the epoch
         * @return true when this epoch is a stop under the rule's patience
         * @throws MissingMetricException when the metric is missing and the rule says FAIL
         */
        @Override
        public boolean observe(EpochMetrics epoch) {
            return step(epoch) == Step.STOP;
        }

        Step step(EpochMetrics epoch) {
            OptionalDouble value = epoch.value(monitor);
            if (value.isEmpty()) {
                if (onMissingMetric == MissingMetric.FAIL) {
                    throw new MissingMetricException(describe(), monitor, epoch.epoch(), epoch.values().keySet());
                }
                return Step.SKIPPED;
            }
            if (epoch.epoch() <= startFromEpoch) {
                return Step.SKIPPED;
            }
            monitored = true;
            double current = value.getAsDouble();
            wait++;
            if (improves(current, best)) {
                best = current;
                bestEpoch = epoch.epoch();
                if (baseline == null || improves(current, baseline)) {
                    wait = 0;
                }
                return Step.IMPROVED;
            }
            return wait >= patience && epoch.epoch() > 1 ? Step.STOP : Step.NOT_IMPROVED;
        }

        /** @return the best value so far, empty until a value improved */
        @Override
        public OptionalDouble best() {
            return bestEpoch > 0 ? OptionalDouble.of(best) : OptionalDouble.empty();
        }

        /** @return the epoch of the best value, empty until a value improved */
        @Override
        public OptionalInt bestEpoch() {
            return bestEpoch > 0 ? OptionalInt.of(bestEpoch) : OptionalInt.empty();
        }

        /** @return the wait counter: monitored epochs since the last reset */
        @Override
        public int waited() {
            return wait;
        }

        /** @return whether any epoch has been monitored */
        public boolean monitored() {
            return monitored;
        }
    }

    enum Step { SKIPPED, IMPROVED, NOT_IMPROVED, STOP }

    private final class EarlyStoppingWatch implements Watch {
        private final Tracker tracker = new Tracker();
        private ModelSnapshot bestWeights;
        private int bestWeightsEpoch;
        private boolean restored;

        @Override
        public RuleState save() {
            RuleState.Builder state = RuleState.builder()
                    .put("best", tracker.best)
                    .put("best_epoch", tracker.bestEpoch)
                    .put("wait", tracker.wait)
                    .put("monitored", tracker.monitored ? 1 : 0);
            if (bestWeights != null) {
                float[] values = bestWeights.parameters().orElseThrow(() -> new IllegalStateException(
                        "the snapshot of epoch " + bestWeightsEpoch + " has no parameters to save"));
                state.weights(bestWeightsEpoch, values);
            }
            return state.build();
        }

        @Override
        public StopReport observe(EpochMetrics epoch) {
            Step step = tracker.step(epoch);
            if (step == Step.SKIPPED) {
                return null;
            }
            if (restoreBestWeights && (bestWeights == null || step == Step.IMPROVED)) {
                // as Keras: the first monitored epoch's weights stand in until a value improves
                bestWeights = epoch.snapshot().orElseThrow(() -> new IllegalStateException(
                        "restoreBestWeights needs epochs that carry a ModelSnapshot, but epoch " + epoch.epoch()
                                + " has none"));
                bestWeightsEpoch = epoch.epoch();
            }
            if (step != Step.STOP) {
                return null;
            }
            StopReport.Builder report = StopReport.builder(StopReason.PATIENCE_EXHAUSTED, epoch.epoch())
                    .rule(describe())
                    .monitor(monitor);
            tracker.bestEpoch().ifPresent(e -> report.best(e, tracker.best));
            return report.message(monitor + " did not improve" + (minDelta > 0 ? " by more than " + minDelta : "")
                    + " for " + tracker.wait + (tracker.wait == 1 ? " epoch" : " epochs") + " (patience " + patience + ")"
                    + tracker.bestEpoch().stream().mapToObj(e -> "; best " + format(tracker.best) + " at epoch " + e)
                    .findFirst().orElse("; no value improved")
                    + (baseline != null && tracker.bestEpoch().isPresent() && !improves(tracker.best, baseline)
                    ? ", which never beat the baseline " + format(baseline) : ""))
                    .build();
        }

        @Override
        public StopReport finish(StopReport report) {
            StopReport.Builder amended = report.toBuilder();
            boolean changed = false;
            if (report.bestEpoch().isEmpty() && report.monitor().isEmpty() && tracker.bestEpoch().isPresent()) {
                amended.monitor(monitor).best(tracker.bestEpoch().getAsInt(), tracker.best);
                changed = true;
            }
            if (restore()) {
                OptionalInt before = report.restoredFromEpoch();
                if (before.isEmpty()) {
                    amended.restoredFromEpoch(bestWeightsEpoch)
                            .message(report.message() + "; restored the weights of epoch " + bestWeightsEpoch);
                    changed = true;
                } else if (before.getAsInt() != bestWeightsEpoch) {
                    // a rule upstream restored first; these weights went in after, so they are the model's
                    amended.restoredFromEpoch(bestWeightsEpoch)
                            .message(report.message() + "; then " + describe() + " restored the weights of epoch "
                                    + bestWeightsEpoch + ", which the model keeps");
                    changed = true;
                }
            }
            return changed ? amended.build() : report;
        }

        @Override
        public void end() {
            restore();
        }

        /** Restores once; returns whether weights were restored (now or before). */
        private boolean restore() {
            if (!restoreBestWeights || bestWeights == null) {
                return false;
            }
            if (!restored) {
                restored = true;
                bestWeights.restore();
            }
            return true;
        }
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    /** Builds an {@link EarlyStopping}; every setting has Keras' default. */
    public static final class Builder {
        private String monitor = "val_loss";
        private double minDelta;
        private int patience;
        private Mode mode = Mode.AUTO;
        private Double baseline;
        private boolean restoreBestWeights;
        private int startFromEpoch;
        private MissingMetric onMissingMetric = MissingMetric.FAIL;

        private Builder() {
        }

        /**
         * Sets the metric to watch (default {@code val_loss}).
         *
         * @param monitor a metric name
         * @return this builder
         */
        public Builder monitor(String monitor) {
            Objects.requireNonNull(monitor, "monitor");
            if (monitor.isBlank()) {
                throw new IllegalArgumentException("monitor must not be blank, but was '" + monitor + "'");
            }
            this.monitor = monitor;
            return this;
        }

        /**
         * Sets the least change that counts as an improvement (default 0). Its sign is ignored,
         * as in Keras.
         *
         * @param minDelta a finite number
         * @return this builder
         */
        public Builder minDelta(double minDelta) {
            if (!Double.isFinite(minDelta)) {
                throw new IllegalArgumentException("minDelta must be finite, but was " + minDelta);
            }
            this.minDelta = minDelta;
            return this;
        }

        /**
         * Sets how many epochs without improvement to tolerate (default 0).
         *
         * @param patience {@code >= 0}
         * @return this builder
         */
        public Builder patience(int patience) {
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be >= 0, but was " + patience);
            }
            this.patience = patience;
            return this;
        }

        /**
         * Sets whether the metric should fall or rise (default AUTO: from its name).
         *
         * @param mode AUTO, MIN or MAX
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets a value the metric must beat before the wait counter resets (default none).
         *
         * @param baseline a number, not NaN
         * @return this builder
         */
        public Builder baseline(double baseline) {
            if (Double.isNaN(baseline)) {
                throw new IllegalArgumentException("baseline must be a number, but was NaN");
            }
            this.baseline = baseline;
            return this;
        }

        /**
         * Sets whether to restore the best epoch's weights when the stream ends (default false).
         *
         * @param restoreBestWeights true to restore
         * @return this builder
         */
        public Builder restoreBestWeights(boolean restoreBestWeights) {
            this.restoreBestWeights = restoreBestWeights;
            return this;
        }

        /**
         * Sets how many warm-up epochs to ignore (default 0): epochs {@code 1..n} are not
         * monitored.
         *
         * @param startFromEpoch {@code >= 0}
         * @return this builder
         */
        public Builder startFromEpoch(int startFromEpoch) {
            if (startFromEpoch < 0) {
                throw new IllegalArgumentException("startFromEpoch must be >= 0, but was " + startFromEpoch);
            }
            this.startFromEpoch = startFromEpoch;
            return this;
        }

        /**
         * Sets what to do with an epoch that lacks the metric (default FAIL).
         *
         * @param onMissingMetric FAIL or SKIP
         * @return this builder
         */
        public Builder onMissingMetric(MissingMetric onMissingMetric) {
            this.onMissingMetric = Objects.requireNonNull(onMissingMetric, "onMissingMetric");
            return this;
        }

        /**
         * Builds the rule.
         *
         * @return the rule
         * @throws IllegalArgumentException when mode is AUTO and the metric's name does not say
         *         which way it should go
         */
        public EarlyStopping build() {
            return new EarlyStopping(this);
        }
    }
}
