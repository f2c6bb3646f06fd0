package io.epochflux.runs;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;

import java.util.Objects;
import java.util.Optional;

/**
 * What a viewer of a {@link RunHandle} receives: an epoch, the run's end with its outcome, or the
 * notice that the viewer fell too far behind and was dropped. A viewer's stream is zero or more
 * {@link Kind#EPOCH} events, then either one {@link Kind#END} (the run is over) or one
 * {@link Kind#DROPPED} (the run goes on without this viewer), then completes.
 */
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

    /** @return what this event is */
    public Kind kind() {
        return kind;
    }

    /** @return the epoch, for {@link Kind#EPOCH} */
    public Optional<EpochMetrics> epoch() {
        return Optional.ofNullable(epoch);
    }

    /** @return the outcome, for {@link Kind#END} */
    public Optional<RunOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    @Override
    public String toString() {
        return "RunEvent[" + kind + (epoch != null ? " " + epoch.epoch() : "") + (outcome != null ? " " + outcome : "") + "]";
    }
}
