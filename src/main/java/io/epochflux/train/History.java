package io.epochflux.train;

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
 */
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
    public static History of(List<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        List<EpochMetrics> copy = new ArrayList<>(epochs.size());
        for (EpochMetrics m : epochs) {
            copy.add(Objects.requireNonNull(m, "epoch").withoutSnapshot());
        }
        return new History(copy);
    }

    /** @return every epoch, in order, without snapshots */
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
    public Optional<StopReport> stop() {
        return Optional.ofNullable(stop);
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
    public String toString() {
        return "History[" + epochs.size() + " epochs" + (stop == null ? "" : ", " + stop.reason() + " at " + stop.epoch()) + "]";
    }
}
