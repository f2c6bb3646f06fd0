package io.epochflux.metrics;

import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Publishes a training stream to a Micrometer {@link MeterRegistry}, tagged with the run's name:
 * epochs completed, epoch duration, the latest loss and accuracy (training and validation), the
 * current epoch, the monitored metric's best value and the epochs since it improved, the run's
 * state, stops by reason with the time of the stop (for Grafana annotations), and the run's
 * configuration as one info gauge. The names are in {@link MeterNames}.
 *
 * <pre>{@code
 * trainer.fit(model, train, validation)
 *     .transform(earlyStopping)
 *     .transform(TrainingMetrics.builder(registry).run("patience-30").monitor(earlyStopping).build())
 *     .blockLast();
 * }</pre>
 *
 * <p>Place it after the stop rules, so that it sees the stop report on the last epoch. Epochs pass
 * through unchanged, with the same demand. When the run ends, its meters stay readable for the
 * retention period (so the final state can be scraped), then are removed, so that a long-lived
 * service does not accumulate runs; a new run under the same name replaces the old run's meters
 * at once.
 */
public final class TrainingMetrics implements Function<Flux<EpochMetrics>, Flux<EpochMetrics>> {

    /** The state a run is in, published as {@link MeterNames#RUN_STATE}. */
    public enum RunState {
        /** Epochs are flowing. */
        RUNNING,
        /** A stop rule ended the run before its epoch limit. */
        STOPPED_EARLY,
        /** The run used every epoch. */
        COMPLETED,
        /** The run ended with an error. */
        FAILED,
        /** The subscriber cancelled the run. */
        CANCELLED;

        /** @return the tag value: the name in lower case */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Meters of a finished run stay this long unless the builder says otherwise. */
    public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(15);

    private static final String LOSS_HELP = "The latest epoch's loss: split=train is the running mean over the"
            + " epoch's batches, split=validation is measured after the epoch";
    private static final String ACCURACY_HELP = "The latest epoch's accuracy: split=train is the running mean over the"
            + " epoch's batches, split=validation is measured after the epoch";
    private static final Pattern TAG_KEY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final ConcurrentMap<Key, RunMeters> LIVE = new ConcurrentHashMap<>();

    private final MeterRegistry registry;
    private final String run;
    private final EarlyStopping monitor;
    private final Map<String, String> configuration;
    private final Duration retention;
    private final Scheduler scheduler;

    private TrainingMetrics(Builder b) {
        this.registry = b.registry;
        this.run = b.run;
        this.monitor = b.monitor;
        this.configuration = Map.copyOf(b.configuration);
        this.retention = b.retention;
        this.scheduler = b.scheduler;
    }

    /**
     * Starts a binder for a registry.
     *
     * @param registry where the meters go, such as a {@code PrometheusMeterRegistry}
     * @return a builder
     */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    @Override
    public Flux<EpochMetrics> apply(Flux<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        return Flux.defer(() -> {
            RunMeters meters = register();
            return epochs
                    .doOnNext(meters::onEpoch)
                    .doOnComplete(meters::completed)
                    .doOnError(e -> meters.end(RunState.FAILED))
                    .doOnCancel(meters::cancelled)
                    .doFinally(signal -> meters.scheduleRemoval());
        });
    }

    private record Key(MeterRegistry registry, String run) {
    }

    private RunMeters register() {
        Key key = new Key(registry, run);
        RunMeters fresh = new RunMeters(key);
        RunMeters old = LIVE.put(key, fresh);
        if (old != null) {
            old.remove();
        }
        fresh.registerMeters();
        return fresh;
    }

    /** The meters of one run, and the state their gauges read (held here, strongly). */
    private final class RunMeters {
        private final Key key;
        private final List<Meter> meters = new ArrayList<>();
        private final EarlyStopping.Tracker tracker = monitor == null ? null : monitor.newTracker();
        private final Map<String, Counter> stops = new ConcurrentHashMap<>();
        private final Map<String, double[]> stopTimes = new ConcurrentHashMap<>();
        private Counter epochCount;
        private Timer duration;
        private volatile double epoch = Double.NaN;
        private volatile double loss = Double.NaN;
        private volatile double accuracy = Double.NaN;
        private volatile double valLoss = Double.NaN;
        private volatile double valAccuracy = Double.NaN;
        private volatile double best = Double.NaN;
        private volatile double waited = Double.NaN;
        private volatile RunState state = RunState.RUNNING;
        private StopReport lastReport;
        private Disposable removal;
        private boolean removed;

        RunMeters(Key key) {
            this.key = key;
        }

        void registerMeters() {
            Tags tags = Tags.of(MeterNames.RUN, run);
            epochCount = add(Counter.builder(MeterNames.EPOCHS).tags(tags).baseUnit("epochs")
                    .description("Epochs completed").register(registry));
            duration = add(Timer.builder(MeterNames.EPOCH_DURATION).tags(tags)
                    .description("Time an epoch took: training, validation and snapshot").register(registry));
            gauge(MeterNames.EPOCH, tags, null, "The latest epoch completed, 1-based", m -> m.epoch);
            gauge(MeterNames.LOSS, tags.and(MeterNames.SPLIT, "train"), null, LOSS_HELP, m -> m.loss);
            gauge(MeterNames.LOSS, tags.and(MeterNames.SPLIT, "validation"), null, LOSS_HELP, m -> m.valLoss);
            gauge(MeterNames.ACCURACY, tags.and(MeterNames.SPLIT, "train"), "ratio", ACCURACY_HELP, m -> m.accuracy);
            gauge(MeterNames.ACCURACY, tags.and(MeterNames.SPLIT, "validation"), "ratio", ACCURACY_HELP,
                    m -> m.valAccuracy);
            if (monitor != null) {
                Tags monitored = tags.and(MeterNames.MONITOR, monitor.monitor());
                gauge(MeterNames.MONITOR_BEST, monitored, null,
                        "The best value of the monitored metric so far", m -> m.best);
                gauge(MeterNames.MONITOR_WAIT, monitored, "epochs",
                        "Monitored epochs since the metric last improved (early stopping's wait counter)", m -> m.waited);
                int patience = monitor.patience();
                gauge(MeterNames.MONITOR_PATIENCE, monitored, "epochs",
                        "Epochs without improvement that early stopping tolerates", m -> patience);
            }
            for (RunState s : RunState.values()) {
                gauge(MeterNames.RUN_STATE, tags.and(MeterNames.STATE, s.tag()), null,
                        "1 for the run's current state, 0 for the others", m -> m.state == s ? 1 : 0);
            }
            Tags info = tags;
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(configuration).entrySet()) {
                info = info.and(e.getKey(), e.getValue());
            }
            gauge(MeterNames.RUN_INFO, info, null, "The run's configuration, in its tags; the value is always 1", m -> 1);
        }

        private <M extends Meter> M add(M meter) {
            meters.add(meter);
            return meter;
        }

        private void gauge(String name, Tags tags, String unit, String description,
                           java.util.function.ToDoubleFunction<RunMeters> value) {
            add(Gauge.builder(name, this, value).tags(tags).baseUnit(unit).description(description).register(registry));
        }

        void onEpoch(EpochMetrics m) {
            epoch = m.epoch();
            loss = m.value("loss").orElse(Double.NaN);
            accuracy = m.value("accuracy").orElse(Double.NaN);
            valLoss = m.value("val_loss").orElse(Double.NaN);
            valAccuracy = m.value("val_accuracy").orElse(Double.NaN);
            if (tracker != null && m.value(monitor.monitor()).isPresent()) {
                tracker.observe(m);
                best = tracker.best().orElse(Double.NaN);
                waited = tracker.waited();
            }
            duration.record(m.duration());
            epochCount.increment();
            m.stop().ifPresent(this::onStop);
        }

        private void onStop(StopReport report) {
            lastReport = report;
            String reason = report.reason().name();
            Tags tags = Tags.of(MeterNames.RUN, run, MeterNames.REASON, reason);
            stops.computeIfAbsent(reason, r -> add(Counter.builder(MeterNames.STOPS).tags(tags)
                    .description("Runs stopped, by reason").register(registry))).increment();
            double[] time = stopTimes.computeIfAbsent(reason, r -> {
                double[] holder = {Double.NaN};
                add(Gauge.builder(MeterNames.STOP_TIMESTAMP, holder, h -> h[0]).tags(tags).baseUnit("seconds")
                        .description("When the run stopped, in seconds since the Unix epoch").register(registry));
                return holder;
            });
            time[0] = scheduler().now(TimeUnit.MILLISECONDS) / 1000.0;
        }

        void completed() {
            end(lastReport == null || lastReport.reason().equals(StopReason.MAX_EPOCHS)
                    ? RunState.COMPLETED : RunState.STOPPED_EARLY);
        }

        void cancelled() {
            // a stop rule downstream of this binder ends the stream with a cancel, after its report passed here
            end(lastReport == null ? RunState.CANCELLED
                    : lastReport.reason().equals(StopReason.MAX_EPOCHS) ? RunState.COMPLETED : RunState.STOPPED_EARLY);
        }

        void end(RunState s) {
            if (state == RunState.RUNNING) {
                state = s;
            }
        }

        synchronized void scheduleRemoval() {
            if (!removed && removal == null) {
                removal = Mono.delay(retention, scheduler()).subscribe(t -> remove());
            }
        }

        synchronized void remove() {
            if (removed) {
                return;
            }
            removed = true;
            if (removal != null) {
                removal.dispose();
            }
            for (Meter meter : meters) {
                registry.remove(meter);
            }
            LIVE.remove(key, this);
        }
    }

    private Scheduler scheduler() {
        return scheduler != null ? scheduler : Schedulers.parallel();
    }

    @Override
    public String toString() {
        return "TrainingMetrics[run=" + run + "]";
    }

    /** Builds a {@link TrainingMetrics}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private String run;
        private EarlyStopping monitor;
        private final Map<String, String> configuration = new LinkedHashMap<>();
        private Duration retention = DEFAULT_RETENTION;
        private Scheduler scheduler;

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * Names the run (required): the {@value MeterNames#RUN} tag of every meter.
         *
         * @param run a name, not blank
         * @return this builder
         */
        public Builder run(String run) {
            Objects.requireNonNull(run, "run");
            if (run.isBlank()) {
                throw new IllegalArgumentException("run must not be blank, but was '" + run + "'");
            }
            this.run = run;
            return this;
        }

        /**
         * Follows the metric an early stopping rule monitors, as the rule does, for the best-value,
         * wait and patience gauges (default: none).
         *
         * @param rule the rule whose monitor, mode, min delta and patience to use
         * @return this builder
         */
        public Builder monitor(EarlyStopping rule) {
            this.monitor = Objects.requireNonNull(rule, "rule");
            return this;
        }

        /**
         * Adds a configuration setting to the info gauge's tags.
         *
         * @param key a tag key: letters, digits and underscores, not starting with a digit
         * @param value the setting
         * @return this builder
         */
        public Builder configuration(String key, Object value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (!TAG_KEY.matcher(key).matches() || key.equals(MeterNames.RUN)) {
                throw new IllegalArgumentException("key must be letters, digits and underscores, not starting with a digit,"
                        + " and not 'run', but was '" + key + "'");
            }
            configuration.put(key, String.valueOf(value));
            return this;
        }

        /**
         * Sets how long a finished run's meters stay readable (default 15 minutes).
         *
         * @param retention not negative
         * @return this builder
         */
        public Builder retention(Duration retention) {
            Objects.requireNonNull(retention, "retention");
            if (retention.isNegative()) {
                throw new IllegalArgumentException("retention must not be negative, but was " + retention);
            }
            this.retention = retention;
            return this;
        }

        /**
         * Sets the scheduler that times the removal of a finished run's meters and gives the stop
         * time (default {@code Schedulers.parallel()}).
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the binder.
         *
         * @return the binder, an operator for {@code flux.transform}
         * @throws IllegalStateException when no run name was given
         */
        public TrainingMetrics build() {
            if (run == null) {
                throw new IllegalStateException("a run name is required: call run(name)");
            }
            return new TrainingMetrics(this);
        }
    }
}
