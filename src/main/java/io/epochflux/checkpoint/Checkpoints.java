package io.epochflux.checkpoint;

import io.epochflux.stop.RuleStates;
import io.epochflux.train.Checkpoint;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunLink;
import reactor.core.publisher.Flux;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Takes a {@link ResumePoint} every N epochs and hands it to a consumer (which typically writes
 * it with {@link CheckpointStore#write}). Put it below the stop rules, so that it sees their
 * states after they looked at the epoch:
 *
 * <pre>{@code
 * CheckpointStore store = CheckpointStore.in(dir, 3);
 * trainer.fit(model, train, validation)
 *     .transform(earlyStopping)
 *     .transform(Checkpoints.every(5, store::writeUnchecked))
 *     .blockLast();
 * // after a crash: the same chain, continued
 * ResumePoint from = store.latest(trainer, model, train).point().orElseThrow();
 * trainer.fit(model, train, validation, from.run())
 *     .transform(earlyStopping)
 *     .transform(Checkpoints.every(5, store::writeUnchecked).resumingFrom(from))
 *     .blockLast();
 * }</pre>
 *
 * <p>Epochs pass through unchanged, and demand, cancel, completion and errors are those of the
 * stream. The consumer runs in {@code doOnNext} on the run's thread, between two epochs: the
 * run waits for it (a checkpoint of the seed model is a few kilobytes), and what it throws fails
 * the stream. There must be no {@code publishOn} between the trainer and this operator. The epoch
 * that ends the stream (it carries a {@link io.epochflux.train.StopReport}) is not checkpointed:
 * the run is over, and a resume from the checkpoint before it reaches the same end.
 * <pre>
 *   every(2):  --[1]--[2]--[3]--[4]--[5, stop]--|
 *                     |         |
 *                  consumer  consumer          (on the run's thread, before [2] and [4] pass on)
 * </pre>
 */
public final class Checkpoints implements Function<Flux<EpochMetrics>, Flux<EpochMetrics>> {

    private final int every;
    private final Consumer<ResumePoint> consumer;
    private final ResumePoint from;

    private Checkpoints(int every, Consumer<ResumePoint> consumer, ResumePoint from) {
        this.every = every;
        this.consumer = consumer;
        this.from = from;
    }

    /**
     * Checkpoints the epochs whose number is a multiple of {@code epochs}.
     *
     * @param epochs the interval, {@code >= 1}
     * @param consumer told of each resume point, on the run's thread
     * @return the operator
     */
    public static Checkpoints every(int epochs, Consumer<ResumePoint> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, but was " + epochs);
        }
        return new Checkpoints(epochs, consumer, null);
    }

    /**
     * Returns this operator for a stream continued from a resume point: the stop rules above it
     * get their saved states back (the chain of rules must be the one that was saved; another is
     * refused when subscribed). The trainer is continued separately, with
     * {@code trainer.fit(model, train, validation, from.run())}.
     *
     * @param from the resume point
     * @return the operator
     */
    public Checkpoints resumingFrom(ResumePoint from) {
        return new Checkpoints(every, consumer, Objects.requireNonNull(from, "from"));
    }

    @Override
    public Flux<EpochMetrics> apply(Flux<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        return Flux.deferContextual(downstream -> {
            RunLink link = RunLink.below(downstream, false);
            // one registry per subscription: rules register their watches in it as they subscribe
            RuleStates states = from == null ? RuleStates.tracking() : RuleStates.resuming(from.rules());
            return epochs
                    .contextWrite(context -> states.into(link.into(context)))
                    .doOnNext(epoch -> {
                        if (epoch.stop().isEmpty() && epoch.epoch() % every == 0) {
                            link.checkpoint().ifPresent(run -> consumer.accept(point(run, states)));
                        }
                    });
        });
    }

    private static ResumePoint point(Checkpoint run, RuleStates states) {
        return ResumePoint.of(run, states.save());
    }

    @Override
    public String toString() {
        return "Checkpoints(every=" + every + (from == null ? "" : ", resuming from epoch " + from.epoch()) + ")";
    }
}
