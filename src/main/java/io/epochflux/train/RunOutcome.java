package io.epochflux.train;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a training run ended, readable once it has ended ({@link TrainingRun#outcome()}): the kind
 * of ending, how many epochs completed, the stop report when there was one, the error when it
 * failed, and the epoch whose weights the model was left with.
 *
 * <p>The weights: a run that ends between two epochs leaves the last completed epoch's weights,
 * or those a stop rule restored; a run cancelled in the middle of an epoch rolls that epoch's
 * batches back, so the model again holds the last completed epoch's weights (epoch 0: the weights
 * it started from). {@link #weightsEpoch()} always says which.
 */
public final class RunOutcome {

    /** The ways a run ends. */
    public enum Kind {
        /** The run used every epoch it was given ({@link StopReason#MAX_EPOCHS}). */
        COMPLETED,
        /** A stop rule ended the stream; the report says which and why. */
        STOPPED_EARLY,
        /** Training failed; {@link #error()} says how. */
        FAILED,
        /** The subscriber cancelled (or a downstream operator did) without a stop report. */
        CANCELLED
    }

    private final Kind kind;
    private final int epochs;
    private final StopReport stop;
    private final Throwable error;
    private final int weightsEpoch;

    RunOutcome(Kind kind, int epochs, StopReport stop, Throwable error, int weightsEpoch) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.epochs = epochs;
        this.stop = stop;
        this.error = error;
        this.weightsEpoch = weightsEpoch;
    }

    /** @return how the run ended */
    public Kind kind() {
        return kind;
    }

    /** @return the number of epochs that completed and were emitted */
    public int epochs() {
        return epochs;
    }

    /** @return the last stop report the stream carried: the trainer's or a stop rule's */
    public Optional<StopReport> stop() {
        return Optional.ofNullable(stop);
    }

    /** @return what failed, for {@link Kind#FAILED} */
    public Optional<Throwable> error() {
        return Optional.ofNullable(error);
    }

    /**
     * Returns the epoch whose weights the model holds now that the run has released it.
     *
     * @return the epoch, 1-based; 0 for the weights the run started from (nothing completed)
     */
    public int weightsEpoch() {
        return weightsEpoch;
    }

    /** @return the restored epoch when the weights are not the last completed epoch's, else empty */
    public OptionalInt restoredFromEpoch() {
        return weightsEpoch != epochs && weightsEpoch > 0 ? OptionalInt.of(weightsEpoch) : OptionalInt.empty();
    }

    @Override
    public String toString() {
        return "RunOutcome[" + kind + " after " + epochs + " epochs, weights of epoch " + weightsEpoch
                + (stop == null ? "" : ", " + stop.reason()) + (error == null ? "" : ", " + error) + "]";
    }
}
