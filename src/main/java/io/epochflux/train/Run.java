package io.epochflux.train;

import io.epochflux.data.Dataset;
import io.epochflux.internal.Shuffle;
import io.epochflux.nn.Evaluation;
import io.epochflux.nn.Trainable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleUnaryOperator;

/**
 * One training run: the source of its stream, its hold on the model, its shuffle stream and its
 * epoch counter, driven by tasks on the trainer's scheduler.
 *
 * <p>Work happens in {@link #drain()}, at most one task of a run at a time (a work-in-progress
 * counter), and each task does units of work: take the model, train an epoch, or finish. A task
 * trains epochs back to back while it has demand, for up to {@link #SLICE_NANOS}; then a run with
 * demand left submits a new task rather than looping on, so runs sharing a pool take turns.
 * Requests, cancels and restores from other threads only record what they want and
 * {@link #signal()}; they never wait and never touch the model. Learning-rate changes from
 * operators are queued the same way and applied at the start of the next epoch.
 */
final class Run implements RunLink.Target {

    /** What a run of a re-subscribable {@code fit} starts from: captured once, shared by its runs. */
    static final class Start {
        private final AtomicReference<float[]> weights = new AtomicReference<>();
        /**
         * The optimizer state the first run found, for a model that keeps its own (a DL4J network's
         * updater state and counts): every later run starts from it too, so subscribing twice gives
         * the same epochs. A model trained with the trainer's optimizer gets a fresh state anyway.
         */
        private final AtomicReference<io.epochflux.nn.OptimizerState> optimizer = new AtomicReference<>();
        private final Checkpoint from;

        Start(Optional<float[]> known) {
            known.ifPresent(weights::set);
            this.from = null;
        }

        /** Starts every run from a checkpoint: its weights, optimizer state, epoch and shuffle position. */
        Start(Checkpoint from) {
            this.from = from;
        }
    }

    private record Restore(int epoch, float[] values) {
    }

    /** How long a task trains epochs back to back before it lets other runs on the pool have a turn. */
    static final long SLICE_NANOS = 5_000_000;

    private final Trainer trainer;
    private final Trainable model;
    /** The data, let go when the run ends: a finished run kept for its outcome must not keep 25 MB of examples. */
    private Dataset train;
    private Dataset validation;
    private final Start start;
    private final Scheduler scheduler;
    private final AtomicInteger wip = new AtomicInteger();
    /** Epochs requested and not yet emitted: counted here, so a request on another thread is never missed or doubled. */
    private final AtomicLong demand = new AtomicLong();
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicReference<Restore> pendingRestore = new AtomicReference<>();
    private final AtomicReference<DoubleUnaryOperator> pendingRate = new AtomicReference<>();
    private final Sinks.One<RunOutcome> outcome = Sinks.one();

    private volatile FluxSink<EpochMetrics> sink;
    private volatile boolean cancelled;
    private volatile boolean cancelledByHandle;
    private volatile boolean released;
    private volatile Thread runner;
    private volatile StopReport report;
    private volatile TrainingRun.Status status = TrainingRun.Status.NEW;
    private volatile int completed;
    private volatile RunOutcome ended;
    // float32, as Keras keeps optimizer.learning_rate; written only by the run's thread
    private volatile float rate;

    // Confined to the task that runs (one at a time; the scheduler's hand-off orders them).
    private boolean snapshots;
    private boolean reportRate;
    private Trainable.Session session;
    /** The session's metric names, made once: "accuracy" and "val_accuracy", or "mae" and "val_mae". */
    private String metric;
    private String validationMetric;
    private int[] order;
    private SplittableRandom random;
    private int shuffles;
    private int weightsEpoch;
    private boolean finished;
    private Throwable failure;
    /**
     * Whether this thread is handing an epoch downstream: a cancel then comes from a stop rule or
     * {@code take(n)} between epochs. A cancel on this thread at any other moment (a batch listener
     * calling {@code cancel()} inside an epoch) only sets the flag, and the epoch loop rolls back.
     */
    private boolean delivering;

    Run(Trainer trainer, Trainable model, Dataset train, Dataset validation, Start start) {
        this.trainer = trainer;
        this.model = model;
        this.train = train;
        this.validation = validation;
        this.start = start;
        this.scheduler = trainer.scheduler();
        this.rate = (float) model.learningRate(trainer.optimizer());
    }

    Flux<EpochMetrics> epochs() {
        // IGNORE: no buffer between the run and its subscriber, so every signal is delivered on the
        // run's thread as it is made; the run itself never emits beyond the demand it counted
        return Flux.create(this::subscribed, FluxSink.OverflowStrategy.IGNORE);
    }

    TrainingRun.Status status() {
        return status;
    }

    int completed() {
        return completed;
    }

    Mono<RunOutcome> outcome() {
        return outcome.asMono();
    }

    Optional<RunOutcome> outcomeNow() {
        return Optional.ofNullable(ended);
    }

    /** Cancels from the handle: the run stops within a batch and its stream completes. */
    void cancel() {
        cancelledByHandle = true;
        cancelled();
    }

    private void cancelled() {
        cancelled = true;
        if (Thread.currentThread() == runner && session != null && delivering) {
            // downstream cancelled while this run's thread delivered an epoch (a stop rule, take(n)):
            // finish now, so the model is released before downstream sees its onComplete
            finish();
        } else {
            signal();
        }
    }

    private void subscribed(FluxSink<EpochMetrics> s) {
        if (!subscribed.compareAndSet(false, true)) {
            s.error(new IllegalStateException("a TrainingRun trains once and takes one subscriber: call trainer.run(...)"
                    + " again, or use trainer.fit(...), whose every subscription is a new run"));
            return;
        }
        snapshots = trainer.snapshots() || RunLink.snapshotsWanted(s.contextView());
        reportRate = RunLink.learningRateWanted(s.contextView());

        RunLink.from(s.contextView()).ifPresent(link -> link.connect(this));
        sink = s;
        status = TrainingRun.Status.QUEUED;
        // onCancel before onRequest: onRequest may start the run at once, and a run whose first epoch ends the
        // stream (one continued from the checkpoint before its stop) must find its cancel registered
        s.onCancel(this::cancelled);
        s.onRequest(n -> {
            demand.accumulateAndGet(n, (have, more) -> have + more < 0 ? Long.MAX_VALUE : have + more);
            signal();
        });
        signal();
    }

    /** Asks for a task unless one is already queued or running; never waits. */
    private void signal() {
        if (wip.getAndIncrement() == 0) {
            schedule();
        }
    }

    private void schedule() {
        if (sink == null) {
            // cancelled by the handle before anyone subscribed: the subscription will find it so
            wip.set(0);
            return;
        }
        try {
            scheduler.schedule(this::drain);
        } catch (RejectedExecutionException e) {
            // the user's scheduler is gone: fail here, the only thread left to do it on
            failure = new IllegalStateException("the training scheduler " + scheduler + " rejected the run's next task", e);
            runner = Thread.currentThread();
            try {
                FluxSink<EpochMetrics> s = sink;
                if (s != null) {
                    s.error(failure);
                }
                finish();
            } finally {
                runner = null;
            }
        }
    }

    private void drain() {
        int missed = wip.get();
        boolean more;
        runner = Thread.currentThread();
        try {
            // epochs follow one another on this thread until the slice is used up: handing every
            // short epoch to another thread cost a wake-up and a cold core each time (a tenth of
            // the seed's 0.5 ms epoch); past the slice, runs sharing the pool take their turns
            long sliceEnd = System.nanoTime() + SLICE_NANOS;
            do {
                more = step();
            } while (more && System.nanoTime() - sliceEnd < 0);
        } catch (RuntimeException | Error e) {
            failure = e;
            sink.error(e);
            finish();
            more = false;
        } finally {
            runner = null;
        }
        if (more || wip.addAndGet(-missed) != 0) {
            schedule();
        }
    }

    /** One unit of work; returns whether more work is ready right now (demand, and not ended). */
    private boolean step() {
        if (finished) {
            return false;
        }
        if (session == null) {
            if (cancelled) {
                finish();
                return false;
            }
            if (!acquire()) {
                status = TrainingRun.Status.QUEUED;
                return false;
            }
        }
        applyPendingRestore();
        if (cancelled) {
            finish();
            return false;
        }
        if (demand.get() <= 0) {
            status = TrainingRun.Status.WAITING;
            return false;
        }
        status = TrainingRun.Status.TRAINING;
        trainEpoch();
        if (finished) {
            return false;
        }
        if (cancelled) {
            finish();
            return false;
        }
        if (demand.get() > 0) {
            status = TrainingRun.Status.QUEUED;
            return true;
        }
        status = TrainingRun.Status.WAITING;
        return false;
    }

    private boolean acquire() {
        Optional<Trainable.Session> s = model.openOrQueue(train, trainer.optimizer(), trainer.batchSize(), this::signal);
        if (s.isEmpty()) {
            return false;
        }
        session = s.get();
        metric = session.metricName();
        validationMetric = "val_" + metric;
        if (reportRate) {
            // a learning-rate operator is in the chain: a model whose rate cannot be steered fails the run here
            model.checkLearningRateControl();
        }
        order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        random = new SplittableRandom(trainer.seed());
        Checkpoint checkpoint = start.from;
        if (checkpoint != null) {
            session.restore(checkpoint.weights());
            session.restoreOptimizerState(checkpoint.optimizer());
            // SplittableRandom cannot export its state: replaying the shuffles from the seed reaches it exactly
            for (int i = 0; i < checkpoint.shuffles(); i++) {
                Shuffle.inPlace(order, random);
            }
            shuffles = checkpoint.shuffles();
            completed = checkpoint.epoch();
            weightsEpoch = checkpoint.epoch();
            return true;
        }
        float[] from = start.weights.get();
        if (from != null) {
            session.restore(from);
        } else {
            // the model was busy when fit was called: start from what the previous run left
            start.weights.compareAndSet(null, session.parameters());
            session.restore(start.weights.get());
        }
        if (model.ownsOptimizer()) {
            start.optimizer.compareAndSet(null, session.optimizerState());
            session.restoreOptimizerState(start.optimizer.get());
        }
        return true;
    }

    private void trainEpoch() {
        Trainable.Session s = session;
        int epoch = completed + 1;
        int batches = s.batchesPerEpoch();
        int batch = 0;
        try {
            long started = System.nanoTime();
            s.markRollbackPoint();
            applyPendingRate(s);
            if (trainer.shuffle()) {
                Shuffle.inPlace(order, random);
                shuffles++;
            }
            s.resetRunning();
            int size = order.length;
            int batchSize = trainer.batchSize();
            BatchListener listener = trainer.batchListener();
            for (int from = 0; from < size; from += batchSize) {
                if (cancelled) {
                    // the epoch will not complete: undo its batches, so the weights are the last emitted epoch's
                    s.rollBack();
                    return;
                }
                batch++;
                s.trainBatch(order, from, Math.min(size, from + batchSize));
                if (listener != null) {
                    listener.onBatch(epoch, batch, batches, s.runningLoss(), s.runningMetric());
                }
            }
            batch = 0;
            Map<String, Double> values = new LinkedHashMap<>(8);
            values.put("loss", s.runningLoss());
            values.put(metric, s.runningMetric());
            if (validation != null) {
                Evaluation v = s.evaluate(validation);
                values.put("val_loss", v.loss());
                values.put(validationMetric, v.metric());
            }
            if (reportRate) {
                values.put(RunLink.LEARNING_RATE, (double) rate);
            }
            if (cancelled) {
                // cancelled while validating: nobody will record this epoch, so the weights must not be its
                s.rollBack();
                return;
            }
            s.epochEnded();
            EpochMetrics metrics = snapshots
                    ? EpochMetrics.of(epoch, values, new RunSnapshot(epoch, s.parameters()))
                    : EpochMetrics.of(epoch, values);
            metrics = metrics.withDuration(Duration.ofNanos(System.nanoTime() - started));
            completed = epoch;
            weightsEpoch = epoch;
            if (demand.get() != Long.MAX_VALUE) {
                demand.decrementAndGet();
            }
            if (epoch >= trainer.epochs()) {
                StopReport limit = StopReport.builder(StopReason.MAX_EPOCHS, epoch)
                        .rule("Trainer(epochs=" + trainer.epochs() + ")")
                        .message("ran all " + trainer.epochs() + " epochs")
                        .build();
                report = limit;
                deliver(metrics.withStop(limit));
                // released before onComplete, so whoever waits for completion finds the model free
                finish();
                sink.complete();
            } else {
                deliver(metrics);
            }
        } catch (RuntimeException | Error e) {
            if (batch > 0) {
                rollBackQuietly(s, e);
            }
            failure = new TrainingException(epoch, batch, batches, e);
            sink.error(failure);
            finish();
        }
    }

    private void deliver(EpochMetrics metrics) {
        delivering = true;
        try {
            sink.next(metrics);
        } finally {
            delivering = false;
        }
    }

    private void applyPendingRate(Trainable.Session s) {
        DoubleUnaryOperator update = pendingRate.getAndSet(null);
        if (update != null) {
            double next = update.applyAsDouble(rate);
            RunLink.checkRate(next);
            float r = (float) next;
            if (r != rate) {
                // only a real change reaches the optimizer: Adam keeps its rate as given until then
                s.setLearningRate(r);
                rate = r;
            }
        }
    }

    @Override
    public void updateLearningRate(DoubleUnaryOperator update) {
        pendingRate.accumulateAndGet(update, (a, b) -> a == null ? b : a.andThen(b));
    }

    @Override
    public double nextLearningRate() {
        DoubleUnaryOperator update = pendingRate.get();
        return update == null ? rate : (float) update.applyAsDouble(rate);
    }

    private static void rollBackQuietly(Trainable.Session s, Throwable cause) {
        try {
            s.rollBack();
        } catch (RuntimeException | Error again) {
            cause.addSuppressed(again);
        }
    }

    private void applyPendingRestore() {
        Restore r = pendingRestore.getAndSet(null);
        if (r != null) {
            session.restore(r.values());
            weightsEpoch = r.epoch();
        }
    }

    /** Ends the run on this (the run's) thread: restores asked for, the model released, the outcome set. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            if (session != null) {
                try {
                    applyPendingRestore();
                } catch (RuntimeException | Error e) {
                    failed(e);
                }
                try {
                    session.close();
                } catch (RuntimeException | Error e) {
                    failed(e);
                }
                session = null;
            }
            // the session and the data are the run's largest holdings: whoever keeps the handle keeps neither
            train = null;
            validation = null;
            order = null;
            released = true;
            Restore late = pendingRestore.getAndSet(null);
            if (late != null) {
                try {
                    model.restore(late.values());
                    weightsEpoch = late.epoch();
                } catch (RuntimeException | Error e) {
                    failed(e);
                }
            }
        } finally {
            // whatever failed above, whoever waits for the outcome is told
            StopReport r = report;
            RunOutcome.Kind kind;
            if (failure != null) {
                kind = RunOutcome.Kind.FAILED;
            } else if (r == null) {
                kind = RunOutcome.Kind.CANCELLED;
            } else {
                kind = r.reason().equals(StopReason.MAX_EPOCHS) ? RunOutcome.Kind.COMPLETED : RunOutcome.Kind.STOPPED_EARLY;
            }
            RunOutcome o = new RunOutcome(kind, completed, r, failure, weightsEpoch);
            ended = o;
            status = TrainingRun.Status.ENDED;
            outcome.tryEmitValue(o);
            if (cancelledByHandle) {
                FluxSink<EpochMetrics> s = sink;
                if (s != null) {
                    s.complete();
                }
            }
        }
    }

    private void failed(Throwable e) {
        if (failure == null) {
            failure = e;
        } else if (failure != e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * The run's state at the end of the epoch it is delivering: only on the run's own thread, while
     * an epoch passes downstream, where no batch can run and the weights are that epoch's.
     */
    @Override
    public Checkpoint checkpoint() {
        if (Thread.currentThread() != runner || session == null || finished) {
            throw new IllegalStateException("a checkpoint must be taken on the run's thread while it delivers an epoch"
                    + " (in doOnNext, with no publishOn between), but was asked on " + Thread.currentThread().getName()
                    + (finished ? " after the run ended" : ""));
        }
        if (completed < 1) {
            throw new IllegalStateException("a checkpoint must follow a completed epoch, but none has completed");
        }
        return new Checkpoint(completed, session.parameters(), session.optimizerState(), shuffles, trainer.seed(),
                Checkpoint.settingsOf(trainer), model.describe(), train.digest(),
                Optional.ofNullable(System.getenv("OMP_NUM_THREADS")));
    }

    /** Called by stop operators (through {@link RunLink}) before they emit their report. */
    @Override
    public void onStopReport(StopReport stop) {
        report = stop;
    }

    /** Restores saved weights: directly on the run's thread, else handed to the run; never waits while it runs. */
    @Override
    public void restoreSaved(int epoch, float[] values) {
        if (Thread.currentThread() == runner && session != null && !finished) {
            session.restore(values);
            weightsEpoch = epoch;
            return;
        }
        if (!released) {
            pendingRestore.set(new Restore(epoch, values));
            if (!released) {
                signal();
                return;
            }
            if (pendingRestore.getAndSet(null) == null) {
                return; // the run applied it as it finished
            }
        }
        // the run is over: the model is free to write (this may wait for another run's batch)
        model.restore(values);
    }

    /** The weights at the end of one epoch of this run. */
    private final class RunSnapshot implements ModelSnapshot {
        private final int epoch;
        private final float[] values;

        RunSnapshot(int epoch, float[] values) {
            this.epoch = epoch;
            this.values = values;
        }

        @Override
        public void restore() {
            restoreSaved(epoch, values);
        }

        @Override
        public Optional<float[]> parameters() {
            return Optional.of(values.clone());
        }

        @Override
        public int epoch() {
            return epoch;
        }
    }
}
