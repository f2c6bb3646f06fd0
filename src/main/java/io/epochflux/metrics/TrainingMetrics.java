package io.epochflux.metrics;

import io.epochflux.stop.MonitoredRule;
import io.epochflux.stop.StopRule;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import reactor.core.Disposable;
import reactor.core.Disposables;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * Publishes a training stream to a Micrometer {@link MeterRegistry}, tagged with the run's name:
 * epochs completed, epoch duration, the latest loss and accuracy (training and validation), the
 * current epoch, the best value and the epochs since it improved of every metric a followed rule
 * tracks, the run's state, stops by reason with the time of the stop (for Grafana annotations),
 * and the run's configuration as one info gauge. The names are in {@link MeterNames}.
 *
 * <pre>{@code
 * trainer.fit(model, train, validation)
 *     .transform(rule)
 *     .transform(TrainingMetrics.builder(registry).run("patience-30").follow(rule).build())
 *     .blockLast();
 * }</pre>
 *
 * <p>Place it after the stop rules, so that it sees the stop report on the last epoch. Epochs pass
 * through unchanged, with the same demand. Each subscription is one run.
 *
 * <p><b>Tags.</b> Every meter name has one fixed set of tag keys whatever the caller passes:
 * {@value MeterNames#RUN}, {@value MeterNames#SWEEP} (empty outside sweeps), the name's own keys
 * (see {@link MeterNames}), and the common tags given to {@link Builder#tag}/{@link Builder#commonTags}.
 * The info gauge always carries every key of {@link MeterNames#INFO_KEYS} ({@code ""} when not
 * given). Every binder on one registry must use the same common tag keys; a run whose keys differ
 * from the runs already in the registry fails at subscription, naming both sets.
 *
 * <p><b>Runs with the same name.</b> The binder holds no JVM-wide state: the runs it knows of are
 * the ones in the registry. When a run subscribes under a name (in the same sweep, with the same
 * common tags):
 * <ul>
 *   <li>no run of that name is in the registry: it takes the name;</li>
 *   <li>a finished run of that name is still there (within its retention): its meters are removed
 *       at once and the new run takes the name, so a dashboard shows the latest run;</li>
 *   <li>a run of that name is still running: the new run takes the first free name of
 *       {@code name#2}, {@code name#3}, ..., so both runs stay visible and neither's series is
 *       overwritten. Training never fails because of a name.</li>
 * </ul>
 * When a run ends (completes, stops, fails or is cancelled) its meters stay readable for the
 * retention period (so the final state can be scraped), then are removed, so a long-lived service
 * does not accumulate runs. Every meter a run registers, including those of its stop, is removed
 * with it; a meter is removed only by the run that registered it. Registering and removing a run's
 * meters synchronizes briefly on the registry, so that binders sharing a registry agree on names;
 * cancelling takes no lock.
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
    private static final String MAE_HELP = "The latest epoch's mean absolute error (a regression): split=train is the"
            + " running mean over the epoch's batches, split=validation is measured after the epoch";
    private static final Pattern TAG_KEY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final MeterRegistry registry;
    private final String run;
    private final String sweep;
    private final Tags common;
    private final List<MonitoredRule> followed;
    private final Map<String, String> info;
    private final Duration retention;
    private final Scheduler scheduler;
    /** This binder's runs by label, so replacing one of its own finished runs also cancels its timer. */
    private final ConcurrentMap<String, LiveRun> own = new ConcurrentHashMap<>();

    private TrainingMetrics(Builder b) {
        this.registry = b.registry;
        this.run = b.run;
        this.sweep = b.sweep;
        this.common = b.common;
        Map<String, MonitoredRule> byMetric = new LinkedHashMap<>();
        for (MonitoredRule rule : b.followed) {
            byMetric.putIfAbsent(rule.monitor(), rule); // one set of gauges per metric: the first rule's
        }
        this.followed = List.copyOf(byMetric.values());
        Map<String, String> all = new LinkedHashMap<>();
        for (String key : MeterNames.INFO_KEYS) {
            all.put(key, b.info.getOrDefault(key, ""));
        }
        this.info = all;
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
            LiveRun live = register();
            return epochs
                    .doOnNext(live::onEpoch)
                    .doOnComplete(live::completed)
                    .doOnError(e -> live.end(RunState.FAILED))
                    .doOnCancel(live::cancelled)
                    .doFinally(signal -> live.scheduleRemoval());
        });
    }

    private Tags runTags(String label) {
        return Tags.of(MeterNames.RUN, label, MeterNames.SWEEP, sweep).and(common);
    }

    private LiveRun register() {
        synchronized (registry) { // the registry is what binders sharing it agree through
            Gauge other = registry.find(MeterNames.RUN_STATE).gauge();
            String label = run;
            for (int n = 2; ; n++) {
                Gauge running = registry.find(MeterNames.RUN_STATE).tags(runTags(label))
                        .tag(MeterNames.STATE, RunState.RUNNING.tag()).gauge();
                if (running == null) {
                    break;
                }
                if (running.value() != 1.0) {
                    replace(label);
                    break;
                }
                label = run + "#" + n;
            }
            LiveRun live = new LiveRun(label);
            live.registerMeters();
            own.put(label, live);
            if (other != null) {
                checkTagKeys(other, live);
            }
            return live;
        }
    }

    /** Removes a finished run's meters at once, whichever binder registered them. */
    private void replace(String label) {
        LiveRun old = own.get(label);
        if (old != null) {
            old.remove();
        }
        Tags tags = runTags(label);
        for (Meter m : registry.getMeters()) {
            if (m.getId().getName().startsWith(MeterNames.PREFIX) && has(m.getId(), tags)) {
                registry.remove(m); // another binder's: its own removal later finds nothing of its own
            }
        }
    }

    private static boolean has(Meter.Id id, Tags tags) {
        for (Tag t : tags) {
            if (!t.getValue().equals(id.getTag(t.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Compares the tag keys of a run just registered (as the registry maps them, with its own
     * common tags) with a run that was there before; on a difference, removes the new run's
     * meters and refuses it, since Prometheus would drop one of the two silently.
     */
    private void checkTagKeys(Gauge other, LiveRun live) {
        Set<String> theirs = keys(other.getId());
        Set<String> mine = keys(live.stateGauge().getId());
        if (!theirs.equals(mine)) {
            live.remove();
            throw new IllegalStateException("common tag keys must be the same for every run in a registry: its runs"
                    + " have tag keys " + theirs + ", but run '" + run + "' has " + mine
                    + "; give every binder on this registry the same tag keys");
        }
    }

    private static Set<String> keys(Meter.Id id) {
        Set<String> keys = new TreeSet<>();
        id.getTags().forEach(t -> keys.add(t.getKey()));
        return keys;
    }

    /** The meters of one run, and the state their gauges read (held here, strongly). */
    private final class LiveRun {
        private final String label;
        private final Tags tags;
        private final List<Meter> meters = new ArrayList<>(); // guarded by the registry's lock
        private final List<Followed> follows = new ArrayList<>();
        private final Map<String, Counter> stops = new ConcurrentHashMap<>();
        private final Map<String, double[]> stopTimes = new ConcurrentHashMap<>();
        private final AtomicReference<Disposable> removal = new AtomicReference<>();
        private Counter epochCount;
        private Timer duration;
        private volatile double epoch = Double.NaN;
        private volatile double loss = Double.NaN;
        private volatile double accuracy = Double.NaN;
        private volatile double valLoss = Double.NaN;
        private volatile double valAccuracy = Double.NaN;
        private volatile double mae = Double.NaN;
        private volatile double valMae = Double.NaN;
        private boolean maeRegistered; // on the run's thread
        private volatile double learningRate = Double.NaN;
        private volatile RunState state = RunState.RUNNING;
        private volatile StopReport lastReport;
        private boolean removed; // guarded by the registry's lock

        LiveRun(String label) {
            this.label = label;
            this.tags = runTags(label);
            for (MonitoredRule rule : followed) {
                follows.add(new Followed(rule));
            }
        }

        void registerMeters() {
            epochCount = add(Counter.builder(MeterNames.EPOCHS).tags(tags).baseUnit("epochs")
                    .description("Epochs completed").register(registry));
            duration = add(Timer.builder(MeterNames.EPOCH_DURATION).tags(tags)
                    .description("Time an epoch took: training, validation and snapshot").register(registry));
            gauge(MeterNames.EPOCH, tags, null, "The latest epoch completed, 1-based", this, m -> m.epoch);
            gauge(MeterNames.LOSS, tags.and(MeterNames.SPLIT, "train"), null, LOSS_HELP, this, m -> m.loss);
            gauge(MeterNames.LOSS, tags.and(MeterNames.SPLIT, "validation"), null, LOSS_HELP, this, m -> m.valLoss);
            gauge(MeterNames.ACCURACY, tags.and(MeterNames.SPLIT, "train"), "ratio", ACCURACY_HELP, this,
                    m -> m.accuracy);
            gauge(MeterNames.ACCURACY, tags.and(MeterNames.SPLIT, "validation"), "ratio", ACCURACY_HELP, this,
                    m -> m.valAccuracy);
            gauge(MeterNames.LEARNING_RATE, tags, null, "The learning rate in force during the latest epoch, when a"
                    + " learning-rate operator steers the run (NaN otherwise)", this, m -> m.learningRate);
            for (Followed f : follows) {
                Tags monitored = tags.and(MeterNames.MONITOR, f.rule.monitor());
                gauge(MeterNames.MONITOR_BEST, monitored, null,
                        "The best value of the monitored metric so far", f, x -> x.best);
                gauge(MeterNames.MONITOR_WAIT, monitored, "epochs",
                        "Monitored epochs since the metric last improved (early stopping's wait counter)", f,
                        x -> x.waited);
                if (f.rule.patienceEpochs().isPresent()) {
                    int patience = f.rule.patienceEpochs().getAsInt();
                    gauge(MeterNames.MONITOR_PATIENCE, monitored, "epochs",
                            "Epochs without improvement that the rule tolerates", f, x -> patience);
                }
            }
            for (RunState s : RunState.values()) {
                gauge(MeterNames.RUN_STATE, tags.and(MeterNames.STATE, s.tag()), null,
                        "1 for the run's current state, 0 for the others", this, m -> m.state == s ? 1 : 0);
            }
            Tags infoTags = tags;
            for (Map.Entry<String, String> e : info.entrySet()) {
                infoTags = infoTags.and(e.getKey(), e.getValue());
            }
            gauge(MeterNames.RUN_INFO, infoTags, null, "The run's configuration, in its tags; the value is always 1",
                    this, m -> 1);
        }

        /** @return the state gauge for RUNNING, as registered (its id carries the registry's common tags) */
        Meter stateGauge() {
            for (Meter m : meters) {
                if (m.getId().getName().equals(MeterNames.RUN_STATE)) {
                    return m;
                }
            }
            throw new IllegalStateException("no " + MeterNames.RUN_STATE + " gauge registered");
        }

        private <M extends Meter> M add(M meter) {
            meters.add(meter);
            return meter;
        }

        private <T> void gauge(String name, Tags gaugeTags, String unit, String description, T state,
                               ToDoubleFunction<T> value) {
            add(Gauge.builder(name, state, value).tags(gaugeTags).baseUnit(unit).description(description)
                    .register(registry));
        }

        void onEpoch(EpochMetrics m) {
            epoch = m.epoch();
            loss = m.value("loss").orElse(Double.NaN);
            accuracy = m.value("accuracy").orElse(Double.NaN);
            valLoss = m.value("val_loss").orElse(Double.NaN);
            valAccuracy = m.value("val_accuracy").orElse(Double.NaN);
            if (m.value("mae").isPresent() || m.value("val_mae").isPresent()) {
                mae = m.value("mae").orElse(Double.NaN);
                valMae = m.value("val_mae").orElse(Double.NaN);
                if (!maeRegistered) {
                    maeRegistered = true;
                    synchronized (registry) {
                        if (!removed) {
                            gauge(MeterNames.MAE, tags.and(MeterNames.SPLIT, "train"), null, MAE_HELP, this, x -> x.mae);
                            gauge(MeterNames.MAE, tags.and(MeterNames.SPLIT, "validation"), null, MAE_HELP, this,
                                    x -> x.valMae);
                        }
                    }
                }
            }
            learningRate = m.value("learning_rate").orElse(Double.NaN);
            for (Followed f : follows) {
                f.observe(m);
            }
            duration.record(m.duration());
            epochCount.increment();
            m.stop().ifPresent(this::onStop);
        }

        private void onStop(StopReport report) {
            lastReport = report;
            String reason = report.reason().name();
            Tags reasonTags = tags.and(MeterNames.REASON, reason);
            double now = scheduler().now(TimeUnit.MILLISECONDS) / 1000.0;
            Counter counter;
            double[] time;
            synchronized (registry) {
                if (removed) {
                    return; // meters registered now would outlive the run: nothing would remove them
                }
                counter = stops.computeIfAbsent(reason, r -> add(Counter.builder(MeterNames.STOPS).tags(reasonTags)
                        .description("Runs stopped, by reason").register(registry)));
                time = stopTimes.computeIfAbsent(reason, r -> {
                    double[] holder = {Double.NaN};
                    add(Gauge.builder(MeterNames.STOP_TIMESTAMP, holder, h -> h[0]).tags(reasonTags).baseUnit("seconds")
                            .description("When the run stopped, in seconds since the Unix epoch").register(registry));
                    return holder;
                });
            }
            time[0] = now;
            counter.increment();
        }

        void completed() {
            StopReport r = lastReport;
            end(r == null || r.reason().equals(StopReason.MAX_EPOCHS) ? RunState.COMPLETED : RunState.STOPPED_EARLY);
        }

        void cancelled() {
            // a stop rule downstream of this binder ends the stream with a cancel, after its report passed here
            StopReport r = lastReport;
            end(r == null ? RunState.CANCELLED
                    : r.reason().equals(StopReason.MAX_EPOCHS) ? RunState.COMPLETED : RunState.STOPPED_EARLY);
        }

        void end(RunState s) {
            if (state == RunState.RUNNING) {
                state = s;
            }
        }

        void scheduleRemoval() {
            // no lock here: this may run on the thread that cancelled, such as an event loop
            Disposable timer = Mono.delay(retention, scheduler()).subscribe(t -> remove());
            if (!removal.compareAndSet(null, timer)) {
                timer.dispose();
            }
        }

        void remove() {
            synchronized (registry) {
                if (removed) {
                    return;
                }
                removed = true;
                for (Meter meter : meters) {
                    removeIfOwn(meter);
                }
                own.remove(label, this);
            }
            Disposable timer = removal.getAndSet(Disposables.disposed());
            if (timer != null) {
                timer.dispose();
            }
        }

        /** Removes a meter only while the registry still holds this very one, not a successor's. */
        private void removeIfOwn(Meter meter) {
            for (Meter m : registry.find(meter.getId().getName()).tags(meter.getId().getTagsAsIterable()).meters()) {
                if (m == meter) {
                    registry.remove(meter);
                    return;
                }
            }
        }
    }

    /** One followed rule's tracker and the values its gauges read. */
    private static final class Followed {
        private final MonitoredRule rule;
        private final MonitoredRule.Tracker tracker;
        private volatile double best = Double.NaN;
        private volatile double waited = Double.NaN;

        Followed(MonitoredRule rule) {
            this.rule = rule;
            this.tracker = rule.newTracker();
        }

        void observe(EpochMetrics m) {
            if (m.value(rule.monitor()).isPresent()) { // an epoch without the metric is the rule's business
                tracker.observe(m);
                best = tracker.best().orElse(Double.NaN);
                waited = tracker.waited();
            }
        }
    }

    private Scheduler scheduler() {
        return scheduler != null ? scheduler : Schedulers.parallel();
    }

    @Override
    public String toString() {
        return "TrainingMetrics[run=" + run + (sweep.isEmpty() ? "" : ", sweep=" + sweep) + "]";
    }

    /** Builds a {@link TrainingMetrics}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private String run;
        private String sweep = "";
        private Tags common = Tags.empty();
        private final List<MonitoredRule> followed = new ArrayList<>();
        private final Map<String, String> info = new LinkedHashMap<>();
        private Duration retention = DEFAULT_RETENTION;
        private Scheduler scheduler;

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * Names the run (required): the {@value MeterNames#RUN} tag of every meter. A second run
         * under this name while the first still runs is published as {@code name#2} (see the
         * class description).
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
         * Names the sweep the run belongs to: the {@value MeterNames#SWEEP} tag of every meter
         * (default {@code ""}: not in a sweep).
         *
         * @param sweep a name, or empty for none; not blank otherwise
         * @return this builder
         */
        public Builder sweep(String sweep) {
            Objects.requireNonNull(sweep, "sweep");
            if (!sweep.isEmpty() && sweep.isBlank()) {
                throw new IllegalArgumentException("sweep must be empty or not blank, but was '" + sweep + "'");
            }
            this.sweep = sweep;
            return this;
        }

        /**
         * Adds a common tag to every meter of every run this binder binds, such as
         * {@code tag("app", "trainer-service")}. Every binder on one registry must use the same
         * keys.
         *
         * @param key letters, digits and underscores, not starting with a digit, and not one of
         *            {@link MeterNames#LIBRARY_TAG_KEYS}
         * @param value the value
         * @return this builder
         */
        public Builder tag(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (!TAG_KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("tag key must be letters, digits and underscores, not starting with"
                        + " a digit, but was '" + key + "'");
            }
            if (MeterNames.LIBRARY_TAG_KEYS.contains(key)) {
                throw new IllegalArgumentException("tag key must not be one of the library's own keys "
                        + MeterNames.LIBRARY_TAG_KEYS + ", but was '" + key + "'");
            }
            this.common = common.and(key, value);
            return this;
        }

        /**
         * Adds common tags, as {@link #tag(String, String)} does for each.
         *
         * @param tags the tags
         * @return this builder
         */
        public Builder commonTags(Iterable<Tag> tags) {
            Objects.requireNonNull(tags, "tags");
            for (Tag t : tags) {
                tag(t.getKey(), t.getValue());
            }
            return this;
        }

        /**
         * Follows every monitored rule a stop rule is or is made of (see
         * {@link MonitoredRule#within}): an {@link io.epochflux.stop.EarlyStopping},
         * {@link io.epochflux.stop.StopWhen#noImprovementFor}, and those inside
         * {@code anyOf}/{@code allOf}. Each monitored metric gets best-value and wait gauges (and a
         * patience gauge when the patience is counted in epochs); when two rules track one metric,
         * the first gives the gauges. A rule that tracks nothing adds no gauge.
         *
         * @param rule the stop rule applied to the stream
         * @return this builder
         */
        public Builder follow(StopRule rule) {
            followed.addAll(MonitoredRule.within(Objects.requireNonNull(rule, "rule")));
            return this;
        }

        /**
         * Follows one monitored rule, as {@link #follow(StopRule)} does, for the best-value, wait
         * and patience gauges (default: none).
         *
         * @param rule the rule whose monitor, mode and patience to use, such as an
         *             {@link io.epochflux.stop.EarlyStopping}
         * @return this builder
         */
        public Builder monitor(MonitoredRule rule) {
            followed.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * Sets one of the info gauge's fixed tags; the ones not set are published as {@code ""}.
         *
         * @param key one of {@link MeterNames#INFO_KEYS}
         * @param value the setting, written with {@code String.valueOf}
         * @return this builder
         * @throws IllegalArgumentException for any other key
         */
        public Builder info(String key, Object value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (!MeterNames.INFO_KEYS.contains(key)) {
                throw new IllegalArgumentException("info key must be one of " + MeterNames.INFO_KEYS + ", but was '"
                        + key + "'");
            }
            info.put(key, String.valueOf(value));
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
         * @return the binder, an operator for {@code flux.transform}; each subscription is a run
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
