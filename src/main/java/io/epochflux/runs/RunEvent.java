package io.epochflux.runs;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;

import java.util.Objects;
import java.util.Optional;

/**
 * What a viewer of a {@link RunHandle} receives: an epoch, the run's end with its outcome, or the
 * notice that the viewer fell too far behind and was dropped. A viewer's stream is zero or more
 * {@link Kind#EPOCH} events, then either one {@link Kind#END} (the run is over) or one
 * {@link Kind#DROPPED} (the run goes on without this viewer), then completes.
 *
 * <p>Equality covers the kind, the epoch and the outcome.
 *
 * <p><b>JSON.</b> A plain {@code new ObjectMapper()} writes and reads it: {@code kind} (the enum's
 * name), then {@code epoch} (an {@link EpochMetrics}) for an epoch or {@code outcome} (a
 * {@link RunOutcome}) for the end, each left out where it does not apply. Read back, it is equal
 * to the one written.
 * <pre>{@code
 * {"kind":"EPOCH","epoch":{"epoch":3,"values":{"loss":0.52,"val_loss":"NaN"},"durationMs":1.5}}
 * {"kind":"END","outcome":{"kind":"CANCELLED","epochs":3,"weightsEpoch":3}}
 * {"kind":"DROPPED"}
 * }</pre>
 */
@JsonPropertyOrder({"kind", "epoch", "outcome"})
public final class RunEvent {

    /** The kinds of events. */
    public enum Kind {
        /** An epoch's metrics (without weights); {@link #epoch()} is present. */
        EPOCH,
        /** The run is over; {@link #outcome()} is present. The last event of a finished run. */
        END,
        /** The viewer's buffer was full: it gets nothing more. The run is not affected. */
        DROPPED
    }

    private final Kind kind;
    private final EpochMetrics epoch;
    private final RunOutcome outcome;

    private RunEvent(Kind kind, EpochMetrics epoch, RunOutcome outcome) {
        this.kind = kind;
        this.epoch = epoch;
        this.outcome = outcome;
    }

    static RunEvent epoch(EpochMetrics epoch) {
        return new RunEvent(Kind.EPOCH, Objects.requireNonNull(epoch, "epoch"), null);
    }

    static RunEvent end(RunOutcome outcome) {
        return new RunEvent(Kind.END, null, Objects.requireNonNull(outcome, "outcome"));
    }

    static RunEvent dropped() {
        return new RunEvent(Kind.DROPPED, null, null);
    }

    /** The JSON form's reader: see the class description. */
    @JsonCreator
    private static RunEvent fromJson(@JsonProperty(value = "kind", required = true) Kind kind,
                                     @JsonProperty("epoch") EpochMetrics epoch,
                                     @JsonProperty("outcome") RunOutcome outcome) {
        if ((kind == Kind.EPOCH) != (epoch != null) || (kind == Kind.END) != (outcome != null)) {
            throw new IllegalArgumentException("an event must carry an epoch exactly when its kind is EPOCH and an"
                    + " outcome exactly when it is END, but kind was " + kind + " with " + (epoch == null ? "no " : "an ")
                    + "epoch and " + (outcome == null ? "no " : "an ") + "outcome");
        }
        return new RunEvent(kind, epoch, outcome);
    }

    /** @return what this event is */
    @JsonProperty("kind")
    public Kind kind() {
        return kind;
    }

    /** @return the epoch, for {@link Kind#EPOCH} */
    @JsonIgnore
    public Optional<EpochMetrics> epoch() {
        return Optional.ofNullable(epoch);
    }

    /** @return the outcome, for {@link Kind#END} */
    @JsonIgnore
    public Optional<RunOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    @JsonProperty("epoch")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private EpochMetrics epochOrNull() {
        return epoch;
    }

    @JsonProperty("outcome")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private RunOutcome outcomeOrNull() {
        return outcome;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunEvent e && kind == e.kind && Objects.equals(epoch, e.epoch)
                && Objects.equals(outcome, e.outcome);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, epoch, outcome);
    }

    @Override
    public String toString() {
        return "RunEvent[" + kind + (epoch != null ? " " + epoch.epoch() : "") + (outcome != null ? " " + outcome : "") + "]";
    }
}
