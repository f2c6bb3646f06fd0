package io.epochflux.sweep;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReport;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Something that happened to one trial of a sweep. Each trial gives {@link Kind#STARTED} once, then
 * {@link Kind#EPOCH} per epoch trained, then {@link Kind#PRUNED} if its pruner stopped it, then
 * {@link Kind#FINISHED} with its {@link TrialResult} (pruned or not).
 *
 * <p>Equality covers the kind, the trial and what the kind carries.
 *
 * <p><b>JSON.</b> A plain {@code new ObjectMapper()} writes and reads it: {@code kind} (the enum's
 * name), {@code trial} (a {@link Trial}), then what the kind carries: {@code epoch} (an
 * {@code EpochMetrics}) for {@link Kind#EPOCH}, {@code stop} and {@code rung} for
 * {@link Kind#PRUNED}, {@code result} (a {@link TrialResult}) for {@link Kind#FINISHED}. Read back,
 * it is equal to the one written.
 * <pre>{@code
 * {"kind":"PRUNED","trial":{"index":3,"name":"trial-003","config":{...}},"stop":{"reason":"PRUNED",...},"rung":0}
 * }</pre>
 */
@JsonPropertyOrder({"kind", "trial", "epoch", "stop", "rung", "result"})
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

    /** The JSON form's reader: see the class description. */
    @JsonCreator
    private static TrialEvent fromJson(@JsonProperty(value = "kind", required = true) Kind kind,
                                       @JsonProperty(value = "trial", required = true) Trial trial,
                                       @JsonProperty("epoch") EpochMetrics epoch,
                                       @JsonProperty("stop") StopReport stop,
                                       @JsonProperty("rung") Integer rung,
                                       @JsonProperty("result") TrialResult result) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(trial, "trial");
        switch (kind) {
            case STARTED:
                return started(trial);
            case EPOCH:
                return epoch(trial, require(epoch, "epoch", kind));
            case PRUNED:
                int r = require(rung, "rung", kind);
                if (r < 0) {
                    throw new IllegalArgumentException("rung must be >= 0, but was " + r);
                }
                return pruned(trial, require(stop, "stop", kind), r);
            default:
                TrialResult done = require(result, "result", kind);
                if (!done.trial().equals(trial)) {
                    throw new IllegalArgumentException("result must be the trial's own, but was " + done.trial().name()
                            + "'s for " + trial.name());
                }
                return finished(done);
        }
    }

    private static <T> T require(T value, String name, Kind kind) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must be given for a " + kind + " event, but was absent");
        }
        return value;
    }

    /** @return what happened */
    @JsonProperty("kind")
    public Kind kind() {
        return kind;
    }

    /** @return the trial it happened to */
    @JsonProperty("trial")
    public Trial trial() {
        return trial;
    }

    /** @return the epoch, for {@link Kind#EPOCH} */
    @JsonIgnore
    public Optional<EpochMetrics> epoch() {
        return Optional.ofNullable(epoch);
    }

    /** @return the result, for {@link Kind#FINISHED} */
    @JsonIgnore
    public Optional<TrialResult> result() {
        return Optional.ofNullable(result);
    }

    /** @return the stop report, for {@link Kind#PRUNED}, {@link Kind#FINISHED} and a trial's last epoch */
    @JsonIgnore
    public Optional<StopReport> stop() {
        return Optional.ofNullable(stop);
    }

    /** @return the rung (0-based) a {@link Kind#PRUNED} trial lost at */
    @JsonIgnore
    public OptionalInt rung() {
        return rung < 0 ? OptionalInt.empty() : OptionalInt.of(rung);
    }

    @JsonProperty("epoch")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private EpochMetrics epochOrNull() {
        return epoch;
    }

    // the stop and rung of an epoch or a finished trial follow from what it carries: written for a pruning only
    @JsonProperty("stop")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private StopReport stopOrNull() {
        return kind == Kind.PRUNED ? stop : null;
    }

    @JsonProperty("rung")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private Integer rungOrNull() {
        return kind == Kind.PRUNED ? rung : null;
    }

    @JsonProperty("result")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private TrialResult resultOrNull() {
        return result;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrialEvent e && kind == e.kind && rung == e.rung && trial.equals(e.trial)
                && Objects.equals(epoch, e.epoch) && Objects.equals(result, e.result) && Objects.equals(stop, e.stop);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, trial, epoch, result, stop, rung);
    }

    @Override
    public String toString() {
        return "TrialEvent[" + kind + " " + trial.name() + (epoch != null ? " epoch " + epoch.epoch() : "")
                + (stop != null && kind != Kind.EPOCH ? ": " + stop.message() : "") + "]";
    }
}
