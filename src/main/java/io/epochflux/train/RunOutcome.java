package io.epochflux.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

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
 *
 * <p>Equality covers the kind, the epochs, the stop report, the weights' epoch and the
 * {@link #failure()}, not the {@code Throwable} itself.
 *
 * <p><b>JSON.</b> A plain {@code new ObjectMapper()} writes and reads it: {@code kind} (the enum's
 * name), {@code epochs}, {@code weightsEpoch}, {@code stop} (the {@link StopReport}, left out when
 * there is none) and {@code error} (a {@link Failure}: the error's type and message, left out when
 * the run did not fail). Read back, it is equal to the one written, and {@link #error()} is empty:
 * an error is read back as its description, never as an exception.
 * <pre>{@code
 * {"kind":"FAILED","epochs":2,"weightsEpoch":2,
 *  "error":{"type":"io.epochflux.train.TrainingException","message":"epoch 3, batch 4 of 70 failed: ..."}}
 * }</pre>
 */
@JsonPropertyOrder({"kind", "epochs", "weightsEpoch", "stop", "error"})
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
    private final Failure failure;
    private final int weightsEpoch;

    RunOutcome(Kind kind, int epochs, StopReport stop, Throwable error, int weightsEpoch) {
        this(kind, epochs, stop, error, error == null ? null : Failure.of(error), weightsEpoch);
    }

    private RunOutcome(Kind kind, int epochs, StopReport stop, Throwable error, Failure failure, int weightsEpoch) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.epochs = epochs;
        this.stop = stop;
        this.error = error;
        this.failure = failure;
        this.weightsEpoch = weightsEpoch;
    }

    /** The JSON form's reader: see the class description. */
    @JsonCreator
    private static RunOutcome fromJson(@JsonProperty(value = "kind", required = true) Kind kind,
                                       @JsonProperty(value = "epochs", required = true) int epochs,
                                       @JsonProperty(value = "weightsEpoch", required = true) int weightsEpoch,
                                       @JsonProperty("stop") StopReport stop,
                                       @JsonProperty("error") Failure error) {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, but was " + epochs);
        }
        if (weightsEpoch < 0 || weightsEpoch > epochs) {
            throw new IllegalArgumentException("weightsEpoch must be in 0.." + epochs + " (the epochs), but was "
                    + weightsEpoch);
        }
        if ((kind == Kind.FAILED) != (error != null)) {
            throw new IllegalArgumentException("error must be given exactly when kind is FAILED, but kind was " + kind
                    + " and error " + (error == null ? "absent" : error));
        }
        return new RunOutcome(kind, epochs, stop, null, error, weightsEpoch);
    }

    /** @return how the run ended */
    @JsonProperty("kind")
    public Kind kind() {
        return kind;
    }

    /** @return the number of epochs that completed and were emitted */
    @JsonProperty("epochs")
    public int epochs() {
        return epochs;
    }

    /** @return the last stop report the stream carried: the trainer's or a stop rule's */
    @JsonIgnore
    public Optional<StopReport> stop() {
        return Optional.ofNullable(stop);
    }

    @JsonProperty("stop")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private StopReport stopOrNull() {
        return stop;
    }

    /**
     * Returns what failed, for {@link Kind#FAILED}, as it was thrown.
     *
     * @return the error; empty for an outcome read back from JSON, whose {@link #failure()} says
     *         what it was
     */
    @JsonIgnore
    public Optional<Throwable> error() {
        return Optional.ofNullable(error);
    }

    /** @return what failed, for {@link Kind#FAILED}, as a value: the error's type and message */
    @JsonIgnore
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    @JsonProperty("error")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private Failure failureOrNull() {
        return failure;
    }

    /**
     * Returns the epoch whose weights the model holds now that the run has released it.
     *
     * @return the epoch, 1-based; 0 for the weights the run started from (nothing completed)
     */
    @JsonProperty("weightsEpoch")
    public int weightsEpoch() {
        return weightsEpoch;
    }

    /** @return the restored epoch when the weights are not the last completed epoch's, else empty */
    @JsonIgnore
    public OptionalInt restoredFromEpoch() {
        return weightsEpoch != epochs && weightsEpoch > 0 ? OptionalInt.of(weightsEpoch) : OptionalInt.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunOutcome r && kind == r.kind && epochs == r.epochs && weightsEpoch == r.weightsEpoch
                && Objects.equals(stop, r.stop) && Objects.equals(failure, r.failure);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, epochs, weightsEpoch, stop, failure);
    }

    @Override
    public String toString() {
        return "RunOutcome[" + kind + " after " + epochs + " epochs, weights of epoch " + weightsEpoch
                + (stop == null ? "" : ", " + stop.reason()) + (failure == null ? "" : ", " + failure) + "]";
    }
}
