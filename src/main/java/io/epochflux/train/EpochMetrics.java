package io.epochflux.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.epochflux.train.internal.NonFiniteDoubles;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one epoch produced: its number (1-based, as Keras prints {@code Epoch 1/3000}), its
 * metrics ({@code loss}, {@code accuracy}, {@code val_loss}, {@code val_accuracy}, ...), how long
 * it took, a {@link ModelSnapshot} of the weights at its end, and, on the last epoch of a stopped
 * stream, the {@link StopReport}.
 *
 * <p>Immutable. Equality covers the epoch, the values, the duration and the stop report, not the
 * snapshot, which is a handle to weights rather than a value.
 *
 * <p><b>JSON.</b> A plain {@code new ObjectMapper()} writes and reads it, with camelCase names:
 * {@code epoch}; {@code values}, each a JSON number, or the string {@code "NaN"},
 * {@code "Infinity"} or {@code "-Infinity"} (JSON has no literal for them); {@code durationMs}, the
 * duration in milliseconds as a JSON number, fractional down to the nanosecond (read back rounded
 * to the nearest nanosecond; absent reads as zero); {@code stop}, the {@link StopReport}, left out
 * when there is none. The snapshot is never written (it is a handle, not a value), so an epoch
 * read back has none. Reading it back gives an equal epoch.
 * <pre>{@code
 * {"epoch":3,"values":{"loss":0.52,"accuracy":0.81,"val_loss":"NaN","val_accuracy":0.79},"durationMs":12.5,
 *  "stop":{"reason":"NON_FINITE","epoch":3,"rule":"StopWhen.nonFinite(any metric)","monitor":"val_loss",
 *          "message":"val_loss became NaN at epoch 3"}}
 * }</pre>
 */
@JsonPropertyOrder({"epoch", "values", "durationMs", "stop"})
public final class EpochMetrics {

    private final int epoch;
    private final Map<String, Double> values;
    private final Duration duration;
    private final ModelSnapshot snapshot;
    private final StopReport stop;

    private EpochMetrics(int epoch, Map<String, Double> values, Duration duration, ModelSnapshot snapshot,
                         StopReport stop) {
        this.epoch = epoch;
        this.values = values;
        this.duration = duration;
        this.snapshot = snapshot;
        this.stop = stop;
    }

    /**
     * Creates the metrics of an epoch without a snapshot.
     *
     * @param epoch the epoch, {@code >= 1}
     * @param values metric names to values, copied in their iteration order; NaN and infinities
     *               are kept as they are
     * @return the metrics
     */
    public static EpochMetrics of(int epoch, Map<String, Double> values) {
        return new EpochMetrics(checkEpoch(epoch), copy(values), Duration.ZERO, null, null);
    }

    /**
     * Creates the metrics of an epoch with the snapshot of the weights at its end.
     *
     * @param epoch the epoch, {@code >= 1}
     * @param values metric names to values, copied in their iteration order
     * @param snapshot puts this epoch's weights back
     * @return the metrics
     */
    public static EpochMetrics of(int epoch, Map<String, Double> values, ModelSnapshot snapshot) {
        return new EpochMetrics(checkEpoch(epoch), copy(values), Duration.ZERO,
                Objects.requireNonNull(snapshot, "snapshot"), null);
    }

    /** The JSON form's reader: see the class description. */
    @JsonCreator
    private static EpochMetrics fromJson(
            @JsonProperty(value = "epoch", required = true) int epoch,
            @JsonProperty(value = "values", required = true)
            @JsonDeserialize(contentUsing = NonFiniteDoubles.Deserializer.class) Map<String, Double> values,
            @JsonProperty("durationMs") double durationMs,
            @JsonProperty("stop") StopReport stop) {
        EpochMetrics m = of(epoch, values).withDuration(Duration.ofNanos(Math.round(durationMs * 1e6)));
        return stop == null ? m : m.withStop(stop);
    }

    private static int checkEpoch(int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, but was " + epoch);
        }
        return epoch;
    }

    private static Map<String, Double> copy(Map<String, Double> values) {
        Objects.requireNonNull(values, "values");
        LinkedHashMap<String, Double> copy = new LinkedHashMap<>(Math.max(4, values.size() * 2));
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "metric name"),
                Objects.requireNonNull(v, () -> "value of " + k)));
        return Collections.unmodifiableMap(copy);
    }

    /** @return the epoch, 1-based */
    @JsonProperty("epoch")
    public int epoch() {
        return epoch;
    }

    /** @return metric names to values, unmodifiable, in the order they were given */
    @JsonProperty("values")
    @JsonSerialize(contentUsing = NonFiniteDoubles.Serializer.class)
    public Map<String, Double> values() {
        return values;
    }

    /**
     * Returns one metric.
     *
     * @param name a metric name such as {@code val_loss}
     * @return its value, or empty when this epoch does not have it
     */
    public OptionalDouble value(String name) {
        Objects.requireNonNull(name, "name");
        Double v = values.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** @return how long the epoch took: training, validation and snapshot; zero when not measured */
    @JsonIgnore
    public Duration duration() {
        return duration;
    }

    /** The duration for JSON: milliseconds, fractional down to the nanosecond. */
    @JsonProperty("durationMs")
    private double durationMs() {
        return duration.toNanos() / 1e6;
    }

    /** @return the weights at the end of this epoch, when the producer took them */
    @JsonIgnore
    public Optional<ModelSnapshot> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    /** @return the stop report, present on the last epoch of a stopped stream */
    @JsonIgnore
    public Optional<StopReport> stop() {
        return Optional.ofNullable(stop);
    }

    /** The stop report for JSON: left out when absent. */
    @JsonProperty("stop")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private StopReport stopOrNull() {
        return stop;
    }

    /**
     * Returns these metrics carrying a stop report.
     *
     * @param report why the stream stops here
     * @return a copy with the report
     */
    public EpochMetrics withStop(StopReport report) {
        Objects.requireNonNull(report, "report");
        return new EpochMetrics(epoch, values, duration, snapshot, report);
    }

    /**
     * Returns these metrics with a measured duration.
     *
     * @param duration how long the epoch took, not negative
     * @return a copy with the duration
     */
    public EpochMetrics withDuration(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, but was " + duration);
        }
        return new EpochMetrics(epoch, values, duration, snapshot, stop);
    }

    /**
     * Returns these metrics without the snapshot, for keeping many epochs without keeping their
     * weights alive.
     *
     * @return a copy without the snapshot
     */
    public EpochMetrics withoutSnapshot() {
        return snapshot == null ? this : new EpochMetrics(epoch, values, duration, null, stop);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EpochMetrics m && epoch == m.epoch && values.equals(m.values)
                && duration.equals(m.duration) && Objects.equals(stop, m.stop);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, values, duration, stop);
    }

    @Override
    public String toString() {
        return "EpochMetrics[epoch " + epoch + ", " + values + (stop == null ? "" : ", " + stop) + "]";
    }
}
