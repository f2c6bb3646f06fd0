package io.epochflux.train;

import io.epochflux.data.Dataset;
import io.epochflux.internal.Shuffle;
import io.epochflux.nn.Evaluation;
import io.epochflux.nn.Parameters;
import io.epochflux.nn.Sequential;
import io.epochflux.nn.TrainingSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One subscription's training run: its thread, its session on the model, its shuffle stream and
 * its epoch counter. {@link #epochs()} is the stream; everything here is created when it is
 * subscribed and released when it ends, however it ends.
 */
final class Run {

    private static final AtomicLong RUNS = new AtomicLong();

    private final Trainer trainer;
    private final Sequential model;
    private final Parameters initial;
    private final Dataset train;
    private final Dataset validation;
    private final String name = "epochflux-run-" + RUNS.incrementAndGet();
    private volatile TrainingSession session;
    private volatile boolean cancelled;

    Run(Trainer trainer, Sequential model, Parameters initial, Dataset train, Dataset validation) {
        this.trainer = trainer;
        this.model = model;
        this.initial = initial;
        this.train = train;
        this.validation = validation;
    }

    /** Per-run state threaded through {@code Flux.generate}. */
    private static final class State {
        final int[] order;
        final SplittableRandom random;
        int epoch;

        State(int size, long seed) {
            order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            random = new SplittableRandom(seed);
        }
    }

    Flux<EpochMetrics> epochs() {
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
        Scheduler scheduler = Schedulers.fromExecutorService(executor, name);
        return Flux.generate(this::start, this::next, this::cleanup)
                // after the generator knows it is cancelled: stop the batch loop, wait for the batch in flight
                .doFinally(signal -> stop())
                .subscribeOn(scheduler)
                .doFinally(signal -> scheduler.dispose());
    }

    private State start() {
        TrainingSession s = model.startTraining(train, trainer.optimizer(), trainer.batchSize());
        session = s;
        if (cancelled) {
            s.stop();
        }
        model.restore(initial);
        return new State(train.size(), trainer.seed());
    }

    private void stop() {
        cancelled = true;
        TrainingSession s = session;
        if (s != null) {
            s.stop();
        }
    }

    private State next(State state, SynchronousSink<EpochMetrics> sink) {
        TrainingSession s = session;
        int epoch = ++state.epoch;
        int batches = s.batchesPerEpoch();
        int batch = 0;
        try {
            long started = System.nanoTime();
            if (trainer.shuffle()) {
                Shuffle.inPlace(state.order, state.random);
            }
            s.resetRunning();
            int size = state.order.length;
            int batchSize = trainer.batchSize();
            BatchListener listener = trainer.batchListener();
            for (int from = 0; from < size; from += batchSize) {
                batch++;
                if (Thread.interrupted()) {
                    // a cancel from another thread interrupts this one: treat it as the stop it is
                    s.stop();
                }
                if (!s.trainBatch(state.order, from, Math.min(size, from + batchSize))) {
                    return state; // stopped: the subscription is cancelled, nothing is emitted
                }
                if (listener != null) {
                    listener.onBatch(epoch, batch, batches, s.runningLoss(), s.runningAccuracy());
                }
            }
            batch = 0;
            Map<String, Double> values = new LinkedHashMap<>(8);
            values.put("loss", s.runningLoss());
            values.put("accuracy", s.runningAccuracy());
            if (validation != null) {
                Evaluation v = s.evaluate(validation);
                values.put("val_loss", v.loss());
                values.put("val_accuracy", v.accuracy());
            }
            Parameters weights = s.snapshot();
            EpochMetrics metrics = EpochMetrics.of(epoch, values, () -> model.restore(weights))
                    .withDuration(Duration.ofNanos(System.nanoTime() - started));
            if (epoch >= trainer.epochs()) {
                metrics = metrics.withStop(StopReport.builder(StopReason.MAX_EPOCHS, epoch)
                        .rule("Trainer(epochs=" + trainer.epochs() + ")")
                        .message("ran all " + trainer.epochs() + " epochs")
                        .build());
                sink.next(metrics);
                sink.complete();
            } else {
                sink.next(metrics);
            }
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            sink.error(new TrainingException(epoch, batch, batches, e));
        }
        return state;
    }

    private void cleanup(State state) {
        TrainingSession s = session;
        if (s != null) {
            s.close();
        }
    }
}
