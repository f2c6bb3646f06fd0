package io.epochflux.train;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Objects;
import java.util.Optional;

/**
 * One training run, as a handle: its stream of epochs, its status, a non-blocking
 * {@link #cancel()}, and its {@link #outcome()}, which completes once the run has ended and let
 * go of the model. Made by {@link Trainer#run}.
 *
 * <p>{@link #epochs()} is cold: nothing trains until it is subscribed, and it takes one subscriber
 * (a run trains once; {@link Trainer#fit}'s stream is the re-subscribable form, each subscription
 * a new run). Its semantics are {@code fit}'s: one epoch per unit of demand on the trainer's
 * scheduler, stop rules end it, and ending it stops the training.
 *
 * <pre>{@code
 * TrainingRun run = trainer.run(model, split.train(), split.validation());
 * run.epochs().transform(earlyStopping).subscribe(epoch -> log(epoch));   // on a training thread
 * ...
 * run.cancel();                                       // from any thread; returns at once
 * RunOutcome outcome = run.outcome().block();         // once the model is released
 * model.save(path);                                   // the weights the outcome names
 * }</pre>
 *
 * <p>Cancelling, from the handle or by cancelling the subscription, never waits: it sets a flag
 * and returns. The batch in flight, if any, completes and no batch starts after it; an epoch left
 * unfinished is rolled back; then, on the run's own thread, the weights a stop rule asked for are
 * restored, the model is released, and the outcome is set. Wait on {@link #outcome()} (or
 * {@link #released()}) before using the model from the cancelling side. A new run on the same
 * model does not need to: it queues for the model without holding a thread and starts from the
 * weights this run left.
 */
public final class TrainingRun {

    /** Where a run is. */
    public enum Status {
        /** Not subscribed yet. */
        NEW,
        /** Waiting for a thread of its scheduler, or for the model to be released by another run. */
        QUEUED,
        /** Training an epoch. */
        TRAINING,
        /** Between epochs, holding no thread: its subscriber has not asked for the next epoch. */
        WAITING,
        /** Ended, and the model released; {@link #outcome()} has completed. */
        ENDED
    }

    private final Run run;

    TrainingRun(Run run) {
        this.run = Objects.requireNonNull(run, "run");
    }

    /**
     * Returns the run's stream: subscribing starts the run.
     *
     * @return a cold stream of epochs that takes one subscriber; a second one gets an
     *         {@link IllegalStateException}
     */
    public Flux<EpochMetrics> epochs() {
        return run.epochs();
    }

    /** @return where the run is now */
    public Status status() {
        return run.status();
    }

    /** @return the number of epochs completed so far */
    public int epoch() {
        return run.completed();
    }

    /**
     * Stops the run from any thread, without waiting: the batch in flight completes, an unfinished
     * epoch is rolled back, the model is released, and the stream completes (without a stop
     * report; the outcome is {@link RunOutcome.Kind#CANCELLED}). Cancelling a run that has ended
     * does nothing; cancelling one not yet subscribed ends it as soon as it is.
     */
    public void cancel() {
        run.cancel();
    }

    /**
     * Returns the outcome, once the run has ended and released the model.
     *
     * @return a {@code Mono} that emits on the run's thread when it is done, or at once if it is
     */
    public Mono<RunOutcome> outcome() {
        return run.outcome();
    }

    /** @return the outcome if the run has ended, else empty */
    public Optional<RunOutcome> outcomeNow() {
        return run.outcomeNow();
    }

    /** @return a {@code Mono} that completes once the run has released the model */
    public Mono<Void> released() {
        return run.outcome().then();
    }

    @Override
    public String toString() {
        return "TrainingRun[" + status() + ", epoch " + epoch() + "]";
    }
}
