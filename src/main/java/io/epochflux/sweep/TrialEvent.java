package io.epochflux.sweep;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReport;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Something that happened to one trial of a sweep. Each trial gives {@link Kind#STARTED} once, then
 * {@link Kind#EPOCH} per epoch trained, then {@link Kind#PRUNED} if its pruner stopped it, then
 * {@link Kind#FINISHED} with its {@link TrialResult} (pruned or not).
 */
public final class TrialEvent {

    /** What happened. */
    public enum Kind {
        /** The trial took a training slot and its model was built. */
        STARTED,
        /** The trial trained an epoch: {@link #epoch()}. */
        EPOCH,
        /** The pruner stopped the trial: {@link #rung()}, {@link #stop()} say where and why. */
        PRUNED,
        /** The trial ended: {@link #result()}. */
        FINISHED
    }

    private final Kind kind;
    private final Trial trial;
    private final EpochMetrics epoch;
    private final TrialResult result;
    private final StopReport stop;
    private final int rung;

    private TrialEvent(Kind kind, Trial trial, EpochMetrics epoch, TrialResult result, StopReport stop, int rung) {
        this.kind = kind;
        this.trial = Objects.requireNonNull(trial, "trial");
        this.epoch = epoch;
        this.result = result;
        this.stop = stop;
        this.rung = rung;
    }

    static TrialEvent started(Trial trial) {
        return new TrialEvent(Kind.STARTED, trial, null, null, null, -1);
    }

    static TrialEvent epoch(Trial trial, EpochMetrics epoch) {
        return new TrialEvent(Kind.EPOCH, trial, epoch, null, epoch.stop().orElse(null), -1);
    }

    static TrialEvent pruned(Trial trial, StopReport stop, int rung) {
        return new TrialEvent(Kind.PRUNED, trial, null, null, stop, rung);
    }

    static TrialEvent finished(TrialResult result) {
        return new TrialEvent(Kind.FINISHED, result.trial(), null, result, result.stop().orElse(null),
                result.prunedAtRung().orElse(-1));
    }

    /** @return what happened */
    public Kind kind() {
        return kind;
    }

    /** @return the trial it happened to */
    public Trial trial() {
        return trial;
    }

    /** @return the epoch, for {@link Kind#EPOCH} */
    public Optional<EpochMetrics> epoch() {
        return Optional.ofNullable(epoch);
    }

    /** @return the result, for {@link Kind#FINISHED} */
    public Optional<TrialResult> result() {
        return Optional.ofNullable(result);
    }

    /** @return the stop report, for {@link Kind#PRUNED}, {@link Kind#FINISHED} and a trial's last epoch */
    public Optional<StopReport> stop() {
        return Optional.ofNullable(stop);
    }

    /** @return the rung (0-based) a {@link Kind#PRUNED} trial lost at */
    public OptionalInt rung() {
        return rung < 0 ? OptionalInt.empty() : OptionalInt.of(rung);
    }

    @Override
    public String toString() {
        return "TrialEvent[" + kind + " " + trial.name() + (epoch != null ? " epoch " + epoch.epoch() : "")
                + (stop != null && kind != Kind.EPOCH ? ": " + stop.message() : "") + "]";
    }
}
