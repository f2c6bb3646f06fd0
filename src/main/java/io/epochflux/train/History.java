package io.epochflux.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The record of a training stream, as Keras' {@code History}: every epoch's metrics and the stop
 * report. Collect one with {@code flux.as(History::collect)}. Epochs are kept without their
 * snapshots, so a long run does not keep every epoch's weights alive.
 *
 * <p>Two histories are equal when their epochs are.
 *
 * <p><b>JSON.</b> A plain {@code new ObjectMapper()} writes and reads it, with camelCase names:
 * {@code epochs}, each in {@link EpochMetrics}'s JSON form, and {@code stop}, the stop report of
 * the last epoch that carried one (left out when none did). {@code stop} is there for readers; it
 * is ignored when reading, since the epochs carry it. Reading it back gives an equal history.
 * <pre>{@code
 * {"epochs":[{"epoch":1,"values":{"loss":0.9,"val_loss":0.8},"durationMs":12.0},
 *            {"epoch":2,"values":{"loss":0.7,"val_loss":"NaN"},"durationMs":11.5,
 *             "stop":{"reason":"NON_FINITE","epoch":2,"rule":"StopWhen.nonFinite(any metric)",
 *                     "monitor":"val_loss","message":"val_loss became NaN at epoch 2"}}],
 *  "stop":{"reason":"NON_FINITE","epoch":2,"rule":"StopWhen.nonFinite(any metric)",
 *          "monitor":"val_loss","message":"val_loss became NaN at epoch 2"}}
 * }</pre>
 */
@JsonPropertyOrder({"epochs", "stop"})
public final class History {

    private final List<EpochMetrics> epochs;
    private final StopReport stop;

    private History(List<EpochMetrics> epochs) {
        this.epochs = Collections.unmodifiableList(epochs);
        StopReport last = null;
        for (EpochMetrics m : epochs) {
            if (m.stop().isPresent()) {
                last = m.stop().get();
            }
        }
        this.stop = last;
    }

    /**
     * Collects a stream into a history when it completes.
     *
     * @param epochs a training stream
     * @return a {@code Mono} of the history; an error in the stream fails it
     */
    public static Mono<History> collect(Flux<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        return epochs.map(EpochMetrics::withoutSnapshot)
                .collect(ArrayList<EpochMetrics>::new, ArrayList::add)
                .map(History::new);
    }

    /**
     * Makes a history of given epochs.
     *
     * @param epochs epochs in order
     * @return the history
     */
    @JsonCreator
    public static History of(@JsonProperty(value = "epochs", required = true) List<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        List<EpochMetrics> copy = new ArrayList<>(epochs.size());
        for (EpochMetrics m : epochs) {
            copy.add(Objects.requireNonNull(m, "epoch").withoutSnapshot());
        }
        return new History(copy);
    }

    /** @return every epoch, in order, without snapshots */
    @JsonProperty("epochs")
    public List<EpochMetrics> epochs() {
        return epochs;
    }

    /** @return the number of epochs run */
    public int size() {
        return epochs.size();
    }

    /** @return the last epoch, if any ran */
    public Optional<EpochMetrics> last() {
        return epochs.isEmpty() ? Optional.empty() : Optional.of(epochs.get(epochs.size() - 1));
    }

    /** @return the stop report of the last epoch that carried one */
    @JsonIgnore
    public Optional<StopReport> stop() {
        return Optional.ofNullable(stop);
    }

    /** The stop report for JSON readers: left out when absent, ignored when reading. */
    @JsonProperty(value = "stop", access = JsonProperty.Access.READ_ONLY)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private StopReport stopOrNull() {
        return stop;
    }

    /** @return the names of every metric seen, in first-seen order */
    public Set<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        for (EpochMetrics m : epochs) {
            names.addAll(m.values().keySet());
        }
        return names;
    }

    /**
     * Returns one metric over the epochs, NaN where an epoch lacks it.
     *
     * @param name a metric name
     * @return one value per epoch
     */
    public double[] series(String name) {
        Objects.requireNonNull(name, "name");
        double[] values = new double[epochs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = epochs.get(i).value(name).orElse(Double.NaN);
        }
        return values;
    }

    /** @return the epoch numbers, one per epoch */
    public int[] epochNumbers() {
        int[] numbers = new int[epochs.size()];
        for (int i = 0; i < numbers.length; i++) {
            numbers[i] = epochs.get(i).epoch();
        }
        return numbers;
    }

    /**
     * Returns the epoch where a metric was lowest (the first, on ties; NaN never counts).
     *
     * @param name a metric name
     * @return the epoch number, empty when no epoch has a number for it
     */
    public OptionalInt argMin(String name) {
        return extreme(name, true);
    }

    /**
     * Returns the epoch where a metric was highest (the first, on ties; NaN never counts).
     *
     * @param name a metric name
     * @return the epoch number, empty when no epoch has a number for it
     */
    public OptionalInt argMax(String name) {
        return extreme(name, false);
    }

    private OptionalInt extreme(String name, boolean min) {
        Objects.requireNonNull(name, "name");
        int best = -1;
        double bestValue = Double.NaN;
        for (EpochMetrics m : epochs) {
            OptionalDouble v = m.value(name);
            if (v.isEmpty() || Double.isNaN(v.getAsDouble())) {
                continue;
            }
            double x = v.getAsDouble();
            if (best < 0 || (min ? x < bestValue : x > bestValue)) {
                best = m.epoch();
                bestValue = x;
            }
        }
        return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
    }

    /** @return the sum of the epochs' durations */
    public Duration trainingTime() {
        Duration total = Duration.ZERO;
        for (EpochMetrics m : epochs) {
            total = total.plus(m.duration());
        }
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof History h && epochs.equals(h.epochs);
    }

    @Override
    public int hashCode() {
        return epochs.hashCode();
    }

    @Override
    public String toString() {
        return "History[" + epochs.size() + " epochs" + (stop == null ? "" : ", " + stop.reason() + " at " + stop.epoch()) + "]";
    }
}
