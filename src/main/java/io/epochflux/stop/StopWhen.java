package io.epochflux.stop;

import io.epochflux.internal.Format;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Stop rules other than patience, each a Reactor operator like {@link EarlyStopping}:
 *
 * <ul>
 *   <li>{@link #reaches}: a target reached, {@code val_accuracy >= 0.95} (Lightning's
 *       {@code stopping_threshold});</li>
 *   <li>{@link #diverges}: a threshold crossed the wrong way, {@code val_loss > 10} (Lightning's
 *       {@code divergence_threshold});</li>
 *   <li>{@link #nonFinite}: a NaN or infinite value (Keras' {@code TerminateOnNaN});</li>
 *   <li>{@link #timeBudget}: a wall-clock budget for the run;</li>
 *   <li>{@link #noImprovementFor}: patience measured in time rather than epochs;</li>
 *   <li>{@link #epoch} and {@link #history}: any condition you write, with your own reason.</li>
 * </ul>
 *
 * <p>Every rule emits the deciding epoch with its report, cancels upstream and completes. Time
 * is read from a Reactor {@link Scheduler}'s clock ({@code Schedulers.parallel()} unless given),
 * so {@code StepVerifier.withVirtualTime} can test time rules; it is checked as each epoch
 * arrives, so an epoch in progress is never cut short.
 */
public final class StopWhen extends StopRule {

    /** The longest budget or patience a time rule takes: {@code Long.MAX_VALUE} nanoseconds, about 292 years. */
    public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

    private final String description;
    private final Supplier<Watch> watches;
    private final MonitoredRule monitored;

    private StopWhen(String description, Supplier<Watch> watches) {
        this(description, watches, null);
    }

    private StopWhen(String description, Supplier<Watch> watches, MonitoredRule monitored) {
        this.description = description;
        this.watches = watches;
        this.monitored = monitored;
    }

    /** @return the best-value tracking this rule does, for {@link MonitoredRule#within} */
    Optional<MonitoredRule> monitored() {
        return Optional.ofNullable(monitored);
    }

    @Override
    protected Watch newWatch() {
        return watches.get();
    }

    @Override
    public String describe() {
        return description;
    }

    /**
     * Stops once a metric reaches a target: {@code value >= target} for a metric that should
     * rise, {@code value <= target} for one that should fall (mode from the name, as
     * {@link Mode#AUTO}). An epoch without the metric fails the stream.
     *
     * @param metric the metric, such as {@code val_accuracy}
     * @param target the value to reach, finite
     * @return the rule
     */
    public static StopWhen reaches(String metric, double target) {
        return reaches(metric, target, Mode.AUTO, MissingMetric.FAIL);
    }

    /**
     * Stops once a metric reaches a target.
     *
     * @param metric the metric
     * @param target the value to reach, finite
     * @param mode MIN ({@code value <= target}), MAX ({@code value >= target}) or AUTO
     * @param missing what to do with an epoch that lacks the metric
     * @return the rule
     */
    public static StopWhen reaches(String metric, double target, Mode mode, MissingMetric missing) {
        checkMetric(metric);
        checkFinite("target", target);
        Mode resolved = Objects.requireNonNull(mode, "mode").resolve(metric);
        Objects.requireNonNull(missing, "missing");
        String op = resolved == Mode.MAX ? ">=" : "<=";
        String description = "StopWhen.reaches(" + metric + " " + op + " " + target + ")";
        return new StopWhen(description, () -> new ValueWatch(description, metric, missing, StopReason.TARGET_REACHED,
                v -> resolved == Mode.MAX ? v >= target : v <= target,
                v -> metric + " reached " + EarlyStopping.format(v) + ", the target " + op + " " + target));
    }

    /**
     * Stops once a metric goes past a threshold the wrong way: {@code value > threshold} for a
     * metric that should fall, {@code value < threshold} for one that should rise.
     *
     * @param metric the metric, such as {@code val_loss}
     * @param threshold the limit, finite
     * @return the rule
     */
    public static StopWhen diverges(String metric, double threshold) {
        return diverges(metric, threshold, Mode.AUTO, MissingMetric.FAIL);
    }

    /**
     * Stops once a metric goes past a threshold the wrong way.
     *
     * @param metric the metric
     * @param threshold the limit, finite
     * @param mode MIN ({@code value > threshold} stops), MAX ({@code value < threshold} stops) or AUTO
     * @param missing what to do with an epoch that lacks the metric
     * @return the rule
     */
    public static StopWhen diverges(String metric, double threshold, Mode mode, MissingMetric missing) {
        checkMetric(metric);
        checkFinite("threshold", threshold);
        Mode resolved = Objects.requireNonNull(mode, "mode").resolve(metric);
        Objects.requireNonNull(missing, "missing");
        String op = resolved == Mode.MIN ? ">" : "<";
        String description = "StopWhen.diverges(" + metric + " " + op + " " + threshold + ")";
        return new StopWhen(description, () -> new ValueWatch(description, metric, missing, StopReason.DIVERGED,
                v -> resolved == Mode.MIN ? v > threshold : v < threshold,
                v -> metric + " diverged to " + EarlyStopping.format(v) + ", past the threshold " + threshold));
    }

    /**
     * Stops on the first epoch where a metric is NaN or infinite.
     *
     * @param metrics the metrics to check; none means every metric of each epoch
     * @return the rule
     */
    public static StopWhen nonFinite(String... metrics) {
        Objects.requireNonNull(metrics, "metrics");
        List<String> names = List.of(metrics);
        names.forEach(StopWhen::checkMetric);
        String description = "StopWhen.nonFinite(" + (names.isEmpty() ? "any metric" : String.join(", ", names)) + ")";
        return new StopWhen(description, () -> new Watch() {
            @Override
            public StopReport observe(EpochMetrics epoch) {
                for (Map.Entry<String, Double> e : epoch.values().entrySet()) {
                    if ((names.isEmpty() || names.contains(e.getKey())) && !Double.isFinite(e.getValue())) {
                        return StopReport.builder(StopReason.NON_FINITE, epoch.epoch())
                                .rule(description)
                                .monitor(e.getKey())
                                .message(e.getKey() + " became " + e.getValue() + " at epoch " + epoch.epoch())
                                .build();
                    }
                }
                return null;
            }

            @Override
            public StopReport finish(StopReport report) {
                return report;
            }

            @Override
            public void end() {
            }
        });
    }

    /**
     * Stops on the first epoch that ends after the run has used its budget of wall-clock time,
     * counted from subscription on {@code Schedulers.parallel()}'s clock.
     *
     * @param budget the time the run may take, positive
     * @return the rule
     */
    public static StopWhen timeBudget(Duration budget) {
        return timeBudget(budget, null);
    }

    /**
     * Stops on the first epoch that ends after the run has used its budget of wall-clock time.
     *
     * @param budget the time the run may take, positive
     * @param clock whose {@code now()} is the time; null for {@code Schedulers.parallel()}
     * @return the rule
     */
    public static StopWhen timeBudget(Duration budget, Scheduler clock) {
        checkPositive("budget", budget);
        String description = "StopWhen.timeBudget(" + Format.human(budget) + ")";
        long budgetNanos = budget.toNanos();
        return new StopWhen(description, () -> {
            Scheduler c = clock != null ? clock : Schedulers.parallel();
            long start = c.now(TimeUnit.NANOSECONDS);
            return new Watch() {
                @Override
                public StopReport observe(EpochMetrics epoch) {
                    long used = c.now(TimeUnit.NANOSECONDS) - start;
                    if (used < budgetNanos) {
                        return null;
                    }
                    return StopReport.builder(StopReason.TIME_BUDGET, epoch.epoch())
                            .rule(description)
                            .message("the run used " + Format.human(Duration.ofNanos(used)) + " of its " + Format.human(budget) + " budget")
                            .build();
                }

                @Override
                public StopReport finish(StopReport report) {
                    return report;
                }

                @Override
                public void end() {
                }
            };
        });
    }

    /**
     * Stops on an epoch that ends when a metric has not improved for a duration: patience in time
     * rather than epochs. Improvement is Keras' strict test with {@code minDelta}; NaN never
     * improves. The clock starts at subscription. The rule carries a {@link MonitoredRule} (found
     * with {@link MonitoredRule#within}), so monitoring can follow its best value and wait.
     *
     * @param metric the metric, such as {@code val_loss}
     * @param patience how long without improvement to tolerate, positive
     * @return the rule
     */
    public static StopWhen noImprovementFor(String metric, Duration patience) {
        return noImprovementFor(metric, patience, Mode.AUTO, 0.0, null);
    }

    /**
     * Stops on an epoch that ends when a metric has not improved for a duration.
     *
     * @param metric the metric
     * @param patience how long without improvement to tolerate, positive
     * @param mode MIN, MAX or AUTO
     * @param minDelta the least change that counts, sign ignored
     * @param clock whose {@code now()} is the time; null for {@code Schedulers.parallel()}
     * @return the rule
     */
    public static StopWhen noImprovementFor(String metric, Duration patience, Mode mode, double minDelta,
                                            Scheduler clock) {
        checkMetric(metric);
        checkPositive("patience", patience);
        checkFinite("minDelta", minDelta);
        EarlyStopping improvement = EarlyStopping.builder().monitor(metric).mode(mode).minDelta(minDelta)
                .onMissingMetric(MissingMetric.SKIP).build();
        String description = "StopWhen.noImprovementFor(" + metric + ", " + Format.human(patience) + ")";
        NoImprovement monitored = new NoImprovement(description, metric, improvement, patience, clock);
        return new StopWhen(description, () -> {
            NoImprovement.Clocked tracker = monitored.newTracker();
            return epoch -> {
                if (!tracker.observe(epoch)) {
                    return null;
                }
                StopReport.Builder report = StopReport.builder(StopReason.NO_IMPROVEMENT_FOR, epoch.epoch())
                        .rule(description)
                        .monitor(metric)
                        .message(metric + " did not improve for " + Format.human(Duration.ofNanos(tracker.sinceImprovement()))
                                + " (patience " + Format.human(patience) + ")"
                                + (tracker.bestEpoch().isPresent() ? "; best " + EarlyStopping.format(tracker.best().getAsDouble())
                                + " at epoch " + tracker.bestEpoch().getAsInt() : ""));
                tracker.bestEpoch().ifPresent(e -> report.best(e, tracker.best().getAsDouble()));
                return report.build();
            };
        }, monitored);
    }

    /**
     * What {@link #noImprovementFor} tracks: the rule's watch and the monitoring gauges run the
     * same tracker, so they cannot disagree.
     */
    private static final class NoImprovement implements MonitoredRule {
        private final String description;
        private final String metric;
        private final EarlyStopping improvement;
        private final Duration patience;
        private final Scheduler clock;

        NoImprovement(String description, String metric, EarlyStopping improvement, Duration patience, Scheduler clock) {
            this.description = description;
            this.metric = metric;
            this.improvement = improvement;
            this.patience = patience;
            this.clock = clock;
        }

        @Override
        public String monitor() {
            return metric;
        }

        @Override
        public Mode mode() {
            return improvement.mode();
        }

        @Override
        public OptionalInt patienceEpochs() {
            return OptionalInt.empty(); // a duration, not a number of epochs
        }

        @Override
        public Clocked newTracker() {
            return new Clocked(clock != null ? clock : Schedulers.parallel());
        }

        /** The best value, its epoch, and the time since it improved, on the rule's clock. */
        final class Clocked implements Tracker {
            private final Scheduler c;
            private long lastImprovement;
            private long now;
            private double best = improvement.mode() == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            private int bestEpoch;
            private int wait;

            Clocked(Scheduler c) {
                this.c = c;
                this.lastImprovement = c.now(TimeUnit.NANOSECONDS);
            }

            @Override
            public boolean observe(EpochMetrics epoch) {
                OptionalDouble value = epoch.value(metric);
                if (value.isEmpty()) {
                    throw new MissingMetricException(description, metric, epoch.epoch(), epoch.values().keySet());
                }
                now = c.now(TimeUnit.NANOSECONDS);
                if (improvement.improves(value.getAsDouble(), best)) {
                    best = value.getAsDouble();
                    bestEpoch = epoch.epoch();
                    lastImprovement = now;
                    wait = 0;
                    return false;
                }
                wait++;
                return now - lastImprovement >= patience.toNanos();
            }

            /** @return nanoseconds from the last improvement (or the start) to the last epoch observed */
            long sinceImprovement() {
                return now - lastImprovement;
            }

            @Override
            public OptionalDouble best() {
                return bestEpoch > 0 ? OptionalDouble.of(best) : OptionalDouble.empty();
            }

            @Override
            public OptionalInt bestEpoch() {
                return bestEpoch > 0 ? OptionalInt.of(bestEpoch) : OptionalInt.empty();
            }

            @Override
            public int waited() {
                return wait;
            }
        }
    }

    /**
     * Stops on the first epoch that matches a condition of your own.
     *
     * <pre>{@code
     * StopRule slow = StopWhen.epoch(StopReason.of("TOO_SLOW"), "an epoch took over a second",
     *         m -> m.duration().toMillis() > 1000);
     * }</pre>
     *
     * @param reason the reason the report will carry
     * @param description what the condition means, for the report
     * @param condition true to stop at this epoch
     * @return the rule
     */
    public static StopWhen epoch(StopReason reason, String description, Predicate<EpochMetrics> condition) {
        Objects.requireNonNull(condition, "condition");
        return history(reason, description, seen -> condition.test(seen.get(seen.size() - 1)));
    }

    /**
     * Stops on the first epoch where a condition over all epochs seen so far (this one last)
     * holds. The list holds the epochs without their snapshots.
     *
     * <pre>{@code
     * StopRule plateau = StopWhen.history(StopReason.of("SLOW_GAINS"),
     *         "val_accuracy gained under 0.001 in 20 epochs",
     *         seen -> seen.size() > 20
     *             && seen.get(seen.size() - 1).value("val_accuracy").orElseThrow()
     *              - seen.get(seen.size() - 21).value("val_accuracy").orElseThrow() < 0.001);
     * }</pre>
     *
     * @param reason the reason the report will carry
     * @param description what the condition means, for the report
     * @param condition true to stop at the last epoch of the list
     * @return the rule
     */
    public static StopWhen history(StopReason reason, String description, Predicate<List<EpochMetrics>> condition) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(condition, "condition");
        String rule = "StopWhen(" + reason + ": " + description + ")";
        return new StopWhen(rule, () -> new Watch() {
            private final List<EpochMetrics> seen = new ArrayList<>();
            private final List<EpochMetrics> view = Collections.unmodifiableList(seen);

            @Override
            public StopReport observe(EpochMetrics epoch) {
                seen.add(epoch.withoutSnapshot());
                if (!condition.test(view)) {
                    return null;
                }
                return StopReport.builder(reason, epoch.epoch())
                        .rule(rule)
                        .message(description + " (epoch " + epoch.epoch() + ")")
                        .build();
            }

            @Override
            public StopReport finish(StopReport report) {
                return report;
            }

            @Override
            public void end() {
            }
        });
    }

    /** Stops on a condition over one metric's value. */
    private static final class ValueWatch implements Watch {
        private final String rule;
        private final String metric;
        private final MissingMetric missing;
        private final StopReason reason;
        private final Predicate<Double> stops;
        private final Function<Double, String> message;

        ValueWatch(String rule, String metric, MissingMetric missing, StopReason reason, Predicate<Double> stops,
                   Function<Double, String> message) {
            this.rule = rule;
            this.metric = metric;
            this.missing = missing;
            this.reason = reason;
            this.stops = stops;
            this.message = message;
        }

        @Override
        public StopReport observe(EpochMetrics epoch) {
            OptionalDouble value = epoch.value(metric);
            if (value.isEmpty()) {
                if (missing == MissingMetric.FAIL) {
                    throw new MissingMetricException(rule, metric, epoch.epoch(), epoch.values().keySet());
                }
                return null;
            }
            double v = value.getAsDouble();
            if (!stops.test(v)) {
                return null;
            }
            return StopReport.builder(reason, epoch.epoch())
                    .rule(rule)
                    .monitor(metric)
                    .message(message.apply(v) + " at epoch " + epoch.epoch())
                    .build();
        }

        @Override
        public StopReport finish(StopReport report) {
            return report;
        }

        @Override
        public void end() {
        }
    }

    private static void checkMetric(String metric) {
        Objects.requireNonNull(metric, "metric");
        if (metric.isBlank()) {
            throw new IllegalArgumentException("metric must not be blank, but was '" + metric + "'");
        }
    }

    private static void checkFinite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, but was " + value);
        }
    }

    private static void checkPositive(String name, Duration duration) {
        Objects.requireNonNull(duration, name);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + duration);
        }
        if (duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_DURATION
                    + " (about 292 years: the clock counts nanoseconds in a long), but was " + duration);
        }
    }
}
