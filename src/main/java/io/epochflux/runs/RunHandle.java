package io.epochflux.runs;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.StopReport;
import io.epochflux.train.TrainingRun;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A training run started once and watched by any number of viewers.
 *
 * <p>{@link Builder#start()} subscribes to the run's stream (through the pipeline given, such as
 * stop rules and a {@code TrainingMetrics} binder) with unbounded demand, so the run trains as
 * fast as its scheduler lets it, whoever watches. Every epoch is recorded without its weight
 * snapshot (about a hundred bytes an epoch: the run's epoch limit bounds the record).
 *
 * <p>{@link #watch()} gives a viewer every recorded epoch, then the live ones, then one
 * {@link RunEvent.Kind#END} event with the outcome once the run has ended and released its model:
 * <pre>
 *   run:      --1--2--3--4--5(stop)|              outcome
 *   watch():  --1--2--3--4--5--END|
 *   late:              (1 2 3)--4--5--END|        joined after epoch 3
 * </pre>
 * A viewer's epochs follow its own demand: the earlier epochs are read from the record at the
 * viewer's pace, and the live ones wait for it in a buffer of {@link Builder#viewerBuffer} events
 * (plus a prefetch of 16 on the viewer scheduler, {@link Builder#viewerScheduler}).
 * The run never waits for a viewer: when a viewer has not taken that many live epochs, it gets a
 * final {@link RunEvent.Kind#DROPPED} event (delivered when it next asks) and nothing more. A
 * viewer cancelling its subscription leaves the run alone; {@link #cancel()} stops it.
 *
 * <p>Everything here is safe from any thread and never blocks nor takes a lock, so it may be
 * called on an event loop. Viewers receive epochs and the end on the viewer scheduler.
 */
public final class RunHandle {

    /** How many live epochs a viewer may fall behind unless the builder says otherwise. */
    public static final int DEFAULT_VIEWER_BUFFER = 256;

    private static final int VIEWER_PREFETCH = 16;

    private final TrainingRun run;
    private final int viewerBuffer;
    private final Scheduler viewerScheduler;
    private final Instant started;
    private final ConcurrentLinkedQueue<EpochMetrics> recorded = new ConcurrentLinkedQueue<>();
    /** Every epoch for viewers; the run's epoch limit bounds it, so replaying all is the design. */
    private final Sinks.Many<EpochMetrics> hub = Sinks.many().replay().all();
    private final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
    private volatile int epochs;
    private volatile EpochMetrics last;
    private volatile Throwable error;
    private volatile long dropped;

    private RunHandle(Builder b) {
        this.run = b.run;
        this.viewerBuffer = b.viewerBuffer;
        this.viewerScheduler = b.viewerScheduler;
        this.started = Instant.now();
    }

    /**
     * Starts describing a handle for a run that has not been subscribed yet.
     *
     * @param run a run from {@code Trainer.run}, not subscribed
     * @return a builder
     */
    public static Builder builder(TrainingRun run) {
        return new Builder(Objects.requireNonNull(run, "run"));
    }

    private void begin(Function<? super Flux<EpochMetrics>, ? extends Publisher<EpochMetrics>> pipeline) {
        Flux.from(pipeline.apply(run.epochs()))
                .subscribe(this::record, this::fail, hub::tryEmitComplete);
    }

    // Called in sequence by the one stream (Reactive Streams' rule), so the hub has one producer.
    private void record(EpochMetrics epoch) {
        EpochMetrics metrics = epoch.withoutSnapshot();
        recorded.add(metrics);
        last = metrics;
        int head = ++epochs;
        hub.tryEmitNext(metrics);
        for (Viewer v : viewers) {
            if (head - Math.max(v.taken, v.joinedAt) > viewerBuffer) {
                v.drop();
            }
        }
    }

    private void fail(Throwable e) {
        error = e;
        hub.tryEmitComplete();
    }

    /**
     * Watches the run from its first epoch.
     *
     * @return every epoch so far, the live ones, then the end (or a drop); see the class comment
     */
    public Flux<RunEvent> watch() {
        return watch(0);
    }

    /**
     * Watches the run from after a given epoch, as a reconnecting client does with the last epoch
     * it saw.
     *
     * @param afterEpoch the last epoch already seen, {@code >= 0}; 0 for all
     * @return the epochs after it, the live ones, then the end (or a drop)
     */
    public Flux<RunEvent> watch(int afterEpoch) {
        if (afterEpoch < 0) {
            throw new IllegalArgumentException("afterEpoch must be >= 0, but was " + afterEpoch);
        }
        return Flux.defer(() -> {
            Viewer viewer = new Viewer(Math.max(afterEpoch, epochs));
            viewers.add(viewer);
            // publishOn: the training thread only queues an epoch for each viewer; the viewer's
            // own work (encoding, writing) runs on the viewer scheduler, never on the training thread
            Flux<RunEvent> events = hub.asFlux()
                    .filter(m -> m.epoch() > afterEpoch)
                    .publishOn(viewerScheduler, VIEWER_PREFETCH)
                    .doOnNext(m -> viewer.taken = m.epoch())
                    .map(RunEvent::epoch)
                    .concatWith(run.outcome().map(RunEvent::end));
            return events.takeUntilOther(viewer.dropSignal.asMono())
                    .concatWith(Mono.fromSupplier(() -> viewer.dropped.get() ? RunEvent.dropped() : null))
                    .doFinally(signal -> viewers.remove(viewer));
        });
    }

    /**
     * Stops the run from any thread without waiting (see {@link TrainingRun#cancel()}): viewers
     * then get the epochs recorded and an end whose outcome is {@link RunOutcome.Kind#CANCELLED}.
     */
    public void cancel() {
        run.cancel();
    }

    /** @return where the run is now */
    public TrainingRun.Status status() {
        return run.status();
    }

    /** @return the number of epochs recorded (those that passed the pipeline) */
    public int epochs() {
        return epochs;
    }

    /** @return the last recorded epoch, without weights */
    public Optional<EpochMetrics> lastEpoch() {
        return Optional.ofNullable(last);
    }

    /** @return every epoch recorded so far, without weights, as a history */
    public History history() {
        return History.of(new ArrayList<>(recorded));
    }

    /** @return the stop report: the last epoch's, else the outcome's, else empty */
    public Optional<StopReport> stop() {
        EpochMetrics l = last;
        if (l != null && l.stop().isPresent()) {
            return l.stop();
        }
        return outcomeNow().flatMap(RunOutcome::stop);
    }

    /** @return the outcome, emitted once the run has ended and released its model */
    public Mono<RunOutcome> outcome() {
        return run.outcome();
    }

    /** @return the outcome if the run has ended and released its model, else empty */
    public Optional<RunOutcome> outcomeNow() {
        return run.outcomeNow();
    }

    /** @return what ended the pipeline with an error (a failing stop rule, say), if anything did */
    public Optional<Throwable> error() {
        return Optional.ofNullable(error);
    }

    /** @return the viewers watching now */
    public int viewers() {
        return viewers.size();
    }

    /** @return how many viewers were dropped for falling behind */
    public long droppedViewers() {
        return dropped;
    }

    /** @return when the handle started the run */
    public Instant started() {
        return started;
    }

    /** @return the run this handle started */
    public TrainingRun run() {
        return run;
    }

    @Override
    public String toString() {
        return "RunHandle[" + status() + ", " + epochs + " epochs, " + viewers.size() + " viewers]";
    }

    /** One viewer's position; written by its own stream, read by the run's thread. */
    private final class Viewer {
        final int joinedAt;
        volatile int taken;
        final AtomicBoolean dropped = new AtomicBoolean();
        final Sinks.Empty<Void> dropSignal = Sinks.empty();

        Viewer(int joinedAt) {
            this.joinedAt = joinedAt;
        }

        void drop() {
            if (dropped.compareAndSet(false, true)) {
                RunHandle.this.dropped++;
                dropSignal.tryEmitEmpty();
            }
        }
    }

    /** Describes and starts a {@link RunHandle}. */
    public static final class Builder {
        private final TrainingRun run;
        private Function<? super Flux<EpochMetrics>, ? extends Publisher<EpochMetrics>> pipeline = Function.identity();
        private int viewerBuffer = DEFAULT_VIEWER_BUFFER;
        private Scheduler viewerScheduler = Schedulers.parallel();

        private Builder(TrainingRun run) {
            this.run = run;
        }

        /**
         * Sets what the run's stream passes through before it is recorded (default: nothing),
         * such as {@code flux -> flux.transform(rule).transform(metrics)}.
         *
         * @param pipeline applied once to the run's stream
         * @return this builder
         */
        public Builder pipeline(Function<? super Flux<EpochMetrics>, ? extends Publisher<EpochMetrics>> pipeline) {
            this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
            return this;
        }

        /**
         * Sets how many live epochs a viewer may have not yet taken before it is dropped (default
         * {@value RunHandle#DEFAULT_VIEWER_BUFFER}).
         *
         * @param events {@code >= 1}
         * @return this builder
         */
        public Builder viewerBuffer(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("events must be >= 1, but was " + events);
            }
            this.viewerBuffer = events;
            return this;
        }

        /**
         * Sets where viewers receive live epochs (default {@code Schedulers.parallel()}): the
         * training thread only queues each epoch for each viewer, and the viewers' own work
         * (encoding, writing to a socket) runs here. It must not be the training pool.
         *
         * @param scheduler a scheduler whose tasks are short
         * @return this builder
         */
        public Builder viewerScheduler(Scheduler scheduler) {
            this.viewerScheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Subscribes to the run: it starts training on its trainer's scheduler.
         *
         * @return the handle
         */
        public RunHandle start() {
            RunHandle handle = new RunHandle(this);
            handle.begin(pipeline);
            return handle;
        }
    }
}
