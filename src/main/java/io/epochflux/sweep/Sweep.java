package io.epochflux.sweep;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Sequential;
import io.epochflux.nn.Trainable;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.BatchListener;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.RunLink;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingPool;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Many training runs as one stream: each trial of a search trains as its own cold training stream
 * ({@link Trainer#fit}), up to {@link Builder#concurrency} at a time on the training pool, and a
 * {@link Pruner} watches them all.
 *
 * <p>{@link #events()} is cold: each subscription is a new sweep with fresh pruner state. It
 * emits, per trial, {@code STARTED}, one {@code EPOCH} per epoch, {@code PRUNED} when the pruner
 * stopped it, and {@code FINISHED} with its {@link TrialResult}; it completes when every trial has
 * finished. Trials interleave; the order of events across trials depends on timing.
 *
 * <pre>
 *   trial-000:  S--e1--e2--e3(rung: wait)......e4--e5--...--e300(MAX_EPOCHS)--F
 *   trial-001:  S--e1--e2--e3(rung: wait)......(PRUNED at e3)--P--F         upstream cancelled
 *   events():   S-S-e1-e1-e2-e2-e3-e3-----------P-F-e4-e5 ... F-|
 * </pre>
 *
 * <p>Each trial's stream is {@code trainer.fit(...)}, then its early stopping (still in force inside
 * the sweep), then the pruner's gate. The gate passes one epoch at a time: after each epoch it asks
 * the pruner, and it requests the next epoch only once the answer is "go on". A trial whose rung
 * is not full yet therefore has no demand, and a run without demand holds no pool thread; it also
 * gives its concurrency permit back while it waits, so rungs fill at any concurrency. A pruned
 * trial's last epoch carries a {@link StopReason#PRUNED} report (the run is told through its
 * {@link RunLink}), and the gate cancels upstream, which stops the trainer before its next batch.
 *
 * <p>Every trial trains with the sweep's seed (the same initial-weight seed and shuffle stream a
 * {@code train --seed} run uses), so a trial's result is reproducible on its own from its
 * {@link TrialConfig#trainOptions()}.
 *
 * <p>A sweep is an immutable configuration and can be subscribed many times.
 */
public final class Sweep {

    /** The epoch limit of each trial unless set. */
    public static final int DEFAULT_EPOCHS = 100;

    private final String name;
    private final List<Trial> trials;
    private final Pruner pruner;
    private final int concurrency;
    private final int epochs;
    private final long seed;
    private final Dataset train;
    private final Dataset validation;
    private final EarlyStopping earlyStopping;
    private final Map<Integer, TrialResult> completed;
    private final BiFunction<Trial, Flux<EpochMetrics>, Flux<EpochMetrics>> decorator;
    private final Function<Trial, BatchListener> batchListeners;
    private final Function<Trial, ? extends Trainable> models;
    private final Scheduler scheduler;
    private final boolean shuffleStart;

    private Sweep(Builder b) {
        this.name = b.name;
        List<Trial> all = new ArrayList<>();
        for (int i = 0; i < b.configs.size(); i++) {
            all.add(Trial.of(i, b.configs.get(i)));
        }
        this.trials = shard(all, b.shardIndex, b.shardCount);
        this.pruner = b.pruner;
        this.concurrency = b.concurrency != null ? b.concurrency : TrainingPool.sharedSize();
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.train = b.train;
        this.validation = b.validation;
        this.earlyStopping = b.earlyStopping;
        Map<Integer, TrialResult> done = new HashMap<>();
        for (TrialResult r : b.completed) {
            Trial t = r.trial();
            if (t.index() >= all.size() || !all.get(t.index()).config().equals(t.config())) {
                throw new IllegalArgumentException("completed must hold trials of this search, but " + t.name()
                        + " (" + t.config().describe() + ") is not one of them");
            }
            done.put(t.index(), r);
        }
        this.completed = Map.copyOf(done);
        this.decorator = b.decorator;
        this.batchListeners = b.batchListeners;
        this.models = b.models;
        this.scheduler = b.scheduler;
        this.shuffleStart = b.shuffleStart;
    }

    /**
     * Starts a sweep over {@code trials} with training data.
     *
     * @param configs the trials' settings, in order (a {@link SearchSpace#grid()} or
     *                {@link SearchSpace#sample}); not empty
     * @param train the training examples
     * @param validation the validation examples: the trials are ranked by their {@code val_loss}
     * @return a builder
     */
    public static Builder builder(List<TrialConfig> configs, Dataset train, Dataset validation) {
        return new Builder(configs, train, validation);
    }

    /**
     * Starts a sweep over every combination of a search space ({@link SearchSpace#grid()}).
     *
     * @param space the space
     * @param train the training examples
     * @param validation the validation examples: the trials are ranked by their {@code val_loss}
     * @return a builder
     */
    public static Builder builder(SearchSpace space, Dataset train, Dataset validation) {
        return new Builder(Objects.requireNonNull(space, "space").grid(), train, validation);
    }

    /**
     * The trials of shard {@code index} of {@code count}: those whose index leaves remainder
     * {@code index} when divided by {@code count}. Every trial is in exactly one shard, and the
     * split depends on nothing but the indices, so every machine computes the same split.
     *
     * @param trials the whole search, in order
     * @param index the shard, {@code 0 <= index < count}
     * @param count the number of shards, {@code >= 1}
     * @return the shard's trials, in order
     */
    public static List<Trial> shard(List<Trial> trials, int index, int count) {
        Objects.requireNonNull(trials, "trials");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, but was " + count);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("index must be >= 0 and < count (" + count + "), but was " + index);
        }
        return trials.stream().filter(t -> t.index() % count == index).toList();
    }

    /** @return the sweep's name, the {@code sweep} label of its trials' meters */
    public String name() {
        return name;
    }

    /** @return the trials this sweep runs (its shard), in order */
    public List<Trial> trials() {
        return trials;
    }

    /** @return the pruner */
    public Pruner pruner() {
        return pruner;
    }

    /** @return how many trials train at once at most */
    public int concurrency() {
        return concurrency;
    }

    /** @return each trial's epoch limit */
    public int epochs() {
        return epochs;
    }

    /** @return the seed every trial trains with */
    public long seed() {
        return seed;
    }

    /**
     * Runs the sweep on subscription; see the class description.
     *
     * @return a cold stream of trial events
     */
    public Flux<TrialEvent> events() {
        return Flux.defer(() -> {
            PrunerState state = pruner.newState(trials, epochs, seed);
            Permits permits = new Permits(concurrency);
            return Flux.fromIterable(startOrder())
                    .flatMap(t -> completed.containsKey(t.index()) ? replay(completed.get(t.index()), state)
                            : trial(t, state, permits), Math.max(1, trials.size()));
        });
    }

    /**
     * The order trials ask for a training slot in: the trials' own order, or (by default) that
     * order shuffled with the seed, so that the first trials an asynchronous pruner (ASHA, median)
     * sees are a fair sample of the space rather than one corner of the grid. A grid lists the
     * widths in ascending order, say: in that order every trial tends to beat the ones before it,
     * and ASHA would promote nearly all of them.
     *
     * @return the trials in the order they start
     */
    public List<Trial> startOrder() {
        if (!shuffleStart) {
            return trials;
        }
        List<Trial> order = new ArrayList<>(trials);
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed ^ 0x5EEDL);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Trial tmp = order.get(i);
            order.set(i, order.get(j));
            order.set(j, tmp);
        }
        return List.copyOf(order);
    }

    /**
     * Runs the sweep on subscription and gives its results.
     *
     * @return every trial's result, best first ({@link TrialResult#BEST_FIRST})
     */
    public Mono<List<TrialResult>> results() {
        return results(events());
    }

    /**
     * Collects the results from a sweep's events.
     *
     * @param events the events of one subscription of {@link #events()}
     * @return every finished trial's result, best first
     */
    public static Mono<List<TrialResult>> results(Flux<TrialEvent> events) {
        return events.filter(e -> e.kind() == TrialEvent.Kind.FINISHED)
                .map(e -> e.result().orElseThrow())
                .collectSortedList(TrialResult.BEST_FIRST);
    }

    private Flux<TrialEvent> trial(Trial t, PrunerState state, Permits permits) {
        return permits.ticket().flatMapMany(ticket -> Flux.defer(() -> {
            TrialConfig c = t.config();
            Trainable model = models == null ? model(c) : Objects.requireNonNull(models.apply(t), "the model factory's model");
            Trainer.Builder tb = Trainer.builder().epochs(epochs).batchSize(c.batchSize())
                    .seed(seed).batchListener(batchListeners == null ? null : batchListeners.apply(t));
            if (!model.ownsOptimizer()) {
                // a model with an optimizer of its own (a DL4J network's updater) refuses the trial's
                tb.optimizer(c.toOptimizer());
            }
            if (scheduler != null) {
                tb.scheduler(scheduler);
            }
            Flux<EpochMetrics> epochsOf = tb.build().fit(model, train, validation);
            EarlyStopping es = earlyStopping(c);
            if (es != null) {
                epochsOf = epochsOf.transform(es);
            }
            return run(t, epochsOf, state, ticket::release, ticket::reacquire, true)
                    .doFinally(signal -> ticket.release());
        }));
    }

    private Flux<TrialEvent> replay(TrialResult done, PrunerState state) {
        // A finished trial of an interrupted sweep: its recorded epochs pass the pruner again, so
        // the pruner's state is as if it had trained; its recorded result stands.
        List<EpochMetrics> recorded = new ArrayList<>(done.history().epochs());
        if (done.pruned() && !recorded.isEmpty()) {
            EpochMetrics last = recorded.get(recorded.size() - 1);
            recorded.set(recorded.size() - 1, EpochMetrics.of(last.epoch(), last.values()));
        }
        return run(done.trial(), Flux.fromIterable(recorded), state, () -> { }, Mono::empty, false)
                .filter(e -> e.kind() == TrialEvent.Kind.FINISHED)
                .map(e -> TrialEvent.finished(done));
    }

    private Flux<TrialEvent> run(Trial t, Flux<EpochMetrics> upstream, PrunerState state, Runnable release,
                                 java.util.function.Supplier<Mono<Void>> reacquire, boolean live) {
        List<EpochMetrics> seen = new ArrayList<>();
        int[] prunedRung = {-1};
        boolean[] reportedEnd = {false};
        double[] best = {Double.NaN};
        int[] bestEpoch = {0};
        Flux<EpochMetrics> gated = Flux.deferContextual(downstream -> {
            RunLink link = RunLink.below(downstream, false);
            return upstream.contextWrite(link::into)
                    // prefetch 0: the next epoch is requested only when the pruner's answer is in
                    .concatMap(e -> {
                        double v = e.value("val_loss").orElse(Double.NaN);
                        if (!Double.isNaN(v) && (Double.isNaN(best[0]) || v < best[0])) {
                            best[0] = v;
                            bestEpoch[0] = e.epoch();
                        }
                        boolean ended = e.stop().isPresent();
                        if (ended) {
                            reportedEnd[0] = true;
                        }
                        PrunerState.Verdict verdict = state.report(t, e.epoch(), v, best[0], ended);
                        Mono<PrunerState.Decision> decision = verdict.now() != null ? Mono.just(verdict.now())
                                : Mono.fromRunnable(release).then(verdict.later())
                                        .flatMap(d -> d.prune() ? Mono.just(d) : reacquire.get().thenReturn(d));
                        return decision.map(d -> {
                            if (!d.prune() || ended) {
                                return e;
                            }
                            reportedEnd[0] = true;
                            prunedRung[0] = d.rung();
                            StopReport.Builder report = StopReport.builder(StopReason.PRUNED, e.epoch())
                                    .rule(pruner.describe()).monitor("val_loss").message(d.message());
                            if (!Double.isNaN(best[0])) {
                                report.best(bestEpoch[0], best[0]);
                            }
                            StopReport r = report.build();
                            link.reportStop(r);
                            return e.withStop(r);
                        });
                    }, 0)
                    .takeUntil(e -> e.stop().isPresent())
                    .doOnComplete(() -> {
                        if (!reportedEnd[0]) {
                            // ended without a report of its own (a replay the pruner let go on)
                            reportedEnd[0] = true;
                            int last = seen.isEmpty() ? 0 : seen.get(seen.size() - 1).epoch();
                            state.report(t, Math.max(1, last), Double.NaN, best[0], true);
                        }
                    });
        });
        if (live && decorator != null) {
            gated = decorator.apply(t, gated);
        }
        Flux<TrialEvent> body = gated.doOnNext(e -> seen.add(e.withoutSnapshot())).map(e -> TrialEvent.epoch(t, e));
        return Flux.concat(Mono.just(TrialEvent.started(t)), body, Flux.defer(() -> {
            TrialResult result = new TrialResult(t, History.of(seen), prunedRung[0]);
            if (result.pruned()) {
                return Flux.just(TrialEvent.pruned(t, result.stop().orElseThrow(), prunedRung[0]),
                        TrialEvent.finished(result));
            }
            return Flux.just(TrialEvent.finished(result));
        }));
    }

    private Sequential model(TrialConfig c) {
        Sequential.Builder b = Sequential.builder(train.featureCount()).seed(seed).loss(Loss.CATEGORICAL_CROSSENTROPY);
        for (int units : c.hidden()) {
            b.dense(units, c.activation());
        }
        return b.dense(train.labelCount(), Activation.SOFTMAX).build();
    }

    private EarlyStopping earlyStopping(TrialConfig c) {
        if (c.patience().isEmpty()) {
            return earlyStopping;
        }
        EarlyStopping.Builder b = EarlyStopping.builder().patience(c.patience().getAsInt());
        if (earlyStopping != null) {
            b.monitor(earlyStopping.monitor()).minDelta(earlyStopping.minDelta()).mode(earlyStopping.mode())
                    .restoreBestWeights(earlyStopping.restoreBestWeights()).startFromEpoch(earlyStopping.startFromEpoch())
                    .onMissingMetric(earlyStopping.onMissingMetric());
            OptionalDouble baseline = earlyStopping.baseline();
            if (baseline.isPresent()) {
                b.baseline(baseline.getAsDouble());
            }
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "Sweep[" + name + ", " + trials.size() + " trials, pruner=" + pruner.describe() + ", concurrency="
                + concurrency + ", epochs=" + epochs + "]";
    }

    /** Builds a {@link Sweep}. */
    public static final class Builder {
        private final List<TrialConfig> configs;
        private final Dataset train;
        private final Dataset validation;
        private String name = "sweep";
        private Pruner pruner = Pruner.none();
        private Integer concurrency;
        private int epochs = DEFAULT_EPOCHS;
        private long seed = Trainer.DEFAULT_SEED;
        private EarlyStopping earlyStopping;
        private int shardIndex;
        private int shardCount = 1;
        private Collection<TrialResult> completed = List.of();
        private BiFunction<Trial, Flux<EpochMetrics>, Flux<EpochMetrics>> decorator;
        private Function<Trial, BatchListener> batchListeners;
        private Function<Trial, ? extends Trainable> models;
        private Scheduler scheduler;
        private boolean shuffleStart = true;

        private Builder(List<TrialConfig> configs, Dataset train, Dataset validation) {
            Objects.requireNonNull(configs, "configs");
            if (configs.isEmpty()) {
                throw new IllegalArgumentException("configs must have at least one trial, but was empty");
            }
            this.configs = List.copyOf(configs);
            this.train = Objects.requireNonNull(train, "train");
            this.validation = Objects.requireNonNull(validation, "validation");
        }

        /**
         * Names the sweep (default {@code sweep}): the {@code sweep} label of its trials' meters.
         *
         * @param name not blank
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * Sets the pruner (default {@link Pruner#none()}).
         *
         * @param pruner the pruner
         * @return this builder
         */
        public Builder pruner(Pruner pruner) {
            this.pruner = Objects.requireNonNull(pruner, "pruner");
            return this;
        }

        /**
         * Sets how many trials train at once (default {@link TrainingPool#sharedSize()}). Trials
         * waiting at a rung do not count.
         *
         * @param concurrency {@code >= 1}
         * @return this builder
         */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1, but was " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /**
         * Sets each trial's epoch limit (default {@value Sweep#DEFAULT_EPOCHS}).
         *
         * @param epochs {@code >= 1}
         * @return this builder
         */
        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, but was " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /**
         * Sets the seed of every trial's initial weights and shuffling, and of Hyperband's brackets
         * (default {@value Trainer#DEFAULT_SEED}).
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the early stopping every trial uses (default none); a trial whose settings carry a
         * patience uses these settings with that patience.
         *
         * @param earlyStopping the rule, or null for none
         * @return this builder
         */
        public Builder earlyStopping(EarlyStopping earlyStopping) {
            this.earlyStopping = earlyStopping;
            return this;
        }

        /**
         * Runs only shard {@code index} of {@code count} (default the whole search: 0 of 1); see
         * {@link Sweep#shard}. Pruning compares the shard's trials only.
         *
         * @param index {@code 0 <= index < count}
         * @param count {@code >= 1}
         * @return this builder
         */
        public Builder shard(int index, int count) {
            if (count < 1) {
                throw new IllegalArgumentException("count must be >= 1, but was " + count);
            }
            if (index < 0 || index >= count) {
                throw new IllegalArgumentException("index must be >= 0 and < count (" + count + "), but was " + index);
            }
            this.shardIndex = index;
            this.shardCount = count;
            return this;
        }

        /**
         * Resumes an interrupted sweep: these trials finished before and are not trained again;
         * their recorded epochs pass the pruner so its state is as if they had (default none).
         *
         * @param results finished trials of the same search
         * @return this builder
         */
        public Builder completed(Collection<TrialResult> results) {
            this.completed = List.copyOf(Objects.requireNonNull(results, "results"));
            return this;
        }

        /**
         * Adds operators to each trial's stream after the pruner, such as a metrics binder
         * labelled with the trial's name (default none).
         *
         * @param decorator given the trial and its stream, returns the stream to use
         * @return this builder
         */
        public Builder decorate(BiFunction<Trial, Flux<EpochMetrics>, Flux<EpochMetrics>> decorator) {
            this.decorator = decorator;
            return this;
        }

        /**
         * Sets a batch listener per trial (default none).
         *
         * @param listeners given a trial, its listener (or null)
         * @return this builder
         */
        public Builder batchListeners(Function<Trial, BatchListener> listeners) {
            this.batchListeners = listeners;
            return this;
        }

        /**
         * Builds each trial's model (default: a {@link Sequential} of the trial's hidden layers and
         * activation with a softmax output, seeded with the sweep's seed). The factory may return
         * any {@link Trainable}, a DL4J network through {@code Dl4jModel.of} among them, built from
         * the trial's settings; a new model each call, since trials may train at once. A model
         * with its own optimizer (a DL4J network's updater) ignores the trial's optimizer.
         *
         * @param factory given a trial, a fresh model for it
         * @return this builder
         */
        public Builder models(Function<Trial, ? extends Trainable> factory) {
            this.models = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Sets where trials train (default each trainer's, {@link TrainingPool#shared()}).
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets whether trials start in an order shuffled with the seed (default true) or in their
         * own order; see {@link Sweep#startOrder()}. Results of successive halving and Hyperband do
         * not depend on it; those of ASHA and the median rule do.
         *
         * @param shuffle false to start the trials in their own order
         * @return this builder
         */
        public Builder shuffleStart(boolean shuffle) {
            this.shuffleStart = shuffle;
            return this;
        }

        /** @return the sweep */
        public Sweep build() {
            return new Sweep(this);
        }
    }
}
