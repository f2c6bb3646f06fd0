package io.epochflux.schedule;

import io.epochflux.stop.RuleState;
import io.epochflux.stop.RuleStates;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunLink;
import reactor.core.publisher.Flux;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Sets the learning rate of every epoch from a function of the epoch, as Keras'
 * {@code LearningRateScheduler} callback does, as a Reactor operator.
 *
 * <p><b>Epochs are counted from 0 here</b>, as Keras passes them to the schedule: the rate of the
 * epoch that {@link EpochMetrics#epoch()} numbers {@code n} is the schedule's value at {@code n - 1},
 * so the first epoch trains at the value at 0. The rate at 0 is set when the stream is subscribed
 * (from the trainer's rate, once the run has started); the rate at {@code n} is set when epoch
 * {@code n} (1-based) passes through, and applies from the next epoch's first batch. Each epoch
 * carries the rate it trained with as {@code learning_rate}.
 *
 * <pre>
 *   step(0.5, 2), trainer's rate 0.1:
 *   epoch (1-based):     1    2    3     4     5
 *   schedule index:      0    1    2     3     4
 *   learning_rate:       0.1  0.1  0.05  0.05  0.025
 *   emitted:             --e1--e2--e3--e4--e5-- ...     (nothing ends here)
 * </pre>
 *
 * <p>The built-in schedules ({@link #step}, {@link #exponential}, {@link #cosine}) are functions
 * of the epoch and the <em>initial</em> rate (the trainer's), so they are exact at every epoch
 * however long the run; {@link #of} takes Keras' form, a function of the epoch and the
 * <em>current</em> rate (the rate the next epoch would otherwise train with, changes made by other
 * operators on this epoch included).
 *
 * <p>It passes every epoch through unchanged and never ends the stream. The rate changes in time
 * only when this operator sees each epoch on the run's thread: behind a {@code publishOn} it applies
 * one epoch late (see {@link RunLink}). With another learning-rate operator in the chain, the most
 * downstream one's change of an epoch has the last word (Keras' callbacks, likewise, overwrite each
 * other). It composes with stop rules in any order. Its state (the epochs counted, the initial and
 * next rates) joins checkpoints made with {@link RuleStates}, so a resumed run continues the
 * schedule where it was.
 *
 * <p>Immutable; every subscription starts the schedule afresh, so one instance can be shared.
 */
public final class LearningRateSchedule implements Function<Flux<EpochMetrics>, Flux<EpochMetrics>> {

    /**
     * Keras' schedule function: the learning rate of an epoch from its index and the current rate.
     */
    @FunctionalInterface
    public interface EpochFunction {
        /**
         * Gives the rate of one epoch. Called on the training run's thread, and possibly more than
         * once for one epoch, so it must have no side effects.
         *
         * @param epoch the 0-based index of the epoch about to train
         * @param learningRate the rate that epoch would otherwise train with
         * @return its rate, {@code >= 0} and finite
         */
        double rate(int epoch, double learningRate);
    }

    /** A rate from the epoch index, the initial rate and the current one. */
    private interface Curve {
        double at(int epoch, double initial, double current);
    }

    private final String description;
    private final Curve curve;

    private LearningRateSchedule(String description, Curve curve) {
        this.description = description;
        this.curve = curve;
    }

    /**
     * Multiplies the initial rate by {@code factor} every {@code every} epochs:
     * {@code initial * factor^floor(epoch / every)}.
     *
     * @param factor {@code >= 0} and finite; 0.5 halves
     * @param every {@code >= 1} epochs
     * @return the schedule
     */
    public static LearningRateSchedule step(double factor, int every) {
        if (!(factor >= 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("factor must be >= 0 and finite, but was " + factor);
        }
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, but was " + every);
        }
        return new LearningRateSchedule("LearningRateSchedule(step, factor=" + factor + ", every=" + every + ")",
                (epoch, initial, current) -> initial * Math.pow(factor, epoch / every));
    }

    /**
     * Multiplies the rate by {@code gamma} every epoch: {@code initial * gamma^epoch}.
     *
     * @param gamma {@code > 0} and finite; 0.96 lowers the rate by 4% an epoch
     * @return the schedule
     */
    public static LearningRateSchedule exponential(double gamma) {
        if (!(gamma > 0 && Double.isFinite(gamma))) {
            throw new IllegalArgumentException("gamma must be > 0 and finite, but was " + gamma);
        }
        return new LearningRateSchedule("LearningRateSchedule(exponential, gamma=" + gamma + ")",
                (epoch, initial, current) -> initial * Math.pow(gamma, epoch));
    }

    /**
     * Anneals the rate from the initial one to {@code minRate} along half a cosine over
     * {@code epochs} epochs, then holds {@code minRate}:
     * {@code minRate + (initial - minRate) * (1 + cos(pi * min(epoch, epochs) / epochs)) / 2}.
     *
     * @param epochs {@code >= 1}: the epoch index at which the rate reaches {@code minRate}
     * @param minRate {@code >= 0} and finite
     * @return the schedule
     */
    public static LearningRateSchedule cosine(int epochs, double minRate) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, but was " + epochs);
        }
        if (!(minRate >= 0 && Double.isFinite(minRate))) {
            throw new IllegalArgumentException("minRate must be >= 0 and finite, but was " + minRate);
        }
        return new LearningRateSchedule("LearningRateSchedule(cosine, epochs=" + epochs + ", minRate=" + minRate + ")",
                (epoch, initial, current) -> minRate
                        + (initial - minRate) * (1 + Math.cos(Math.PI * Math.min(epoch, epochs) / epochs)) / 2);
    }

    /**
     * Uses a function of the epoch and the current rate, as Keras' {@code LearningRateScheduler}
     * does: {@code of("warm-up", (epoch, lr) -> epoch < 5 ? 0.001 : 0.01)}.
     *
     * @param name names the schedule in descriptions and checkpoints
     * @param function the rate of each epoch (0-based) from the current rate
     * @return the schedule
     */
    public static LearningRateSchedule of(String name, EpochFunction function) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(function, "function");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
        }
        return new LearningRateSchedule("LearningRateSchedule(" + name + ")",
                (epoch, initial, current) -> function.rate(epoch, current));
    }

    /**
     * Gives the schedule's rate of one epoch, as the run would set it (before float32 rounding).
     *
     * @param epoch the 0-based epoch index, {@code >= 0}
     * @param initial the run's initial rate
     * @param current the rate the epoch would otherwise train with ({@link #of} schedules only read it)
     * @return the rate
     */
    public double rate(int epoch, double initial, double current) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, but was " + epoch);
        }
        return checked(epoch, curve.at(epoch, initial, current));
    }

    private double checked(int epoch, double rate) {
        if (!(rate >= 0 && Double.isFinite(rate))) {
            throw new IllegalArgumentException(description + " must give a learning rate >= 0 and finite, but gave "
                    + rate + " for epoch index " + epoch);
        }
        return rate;
    }

    /**
     * Describes the schedule, for reports and checkpoints.
     *
     * @return for example {@code LearningRateSchedule(step, factor=0.5, every=10)}
     */
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Applies the schedule to a training stream.
     *
     * @param epochs the training stream
     * @return the same epochs; the run upstream trains each at the scheduled rate
     */
    @Override
    public Flux<EpochMetrics> apply(Flux<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        return Flux.deferContextual(downstream -> {
            RunLink link = RunLink.steering(downstream);
            Progress progress = new Progress(link);
            RuleState saved = RuleStates.join(downstream, describe(), progress::save);
            if (saved.isEmpty()) {
                progress.start();
            } else {
                progress.resume(saved);
            }
            return epochs.contextWrite(link::into)
                    .map(epoch -> {
                        progress.observe();
                        return epoch;
                    });
        });
    }

    /** One subscription's place in the schedule. */
    private final class Progress {
        private final RunLink link;
        // the run's initial rate: set on the run's thread before epoch 1, read on it after
        private volatile double initial = Double.NaN;
        private int counted;

        Progress(RunLink link) {
            this.link = link;
        }

        void start() {
            // the first rate depends on the trainer's, which only the run knows: computed there
            link.updateLearningRate(current -> {
                initial = current; // the same value on every call, so calling twice is harmless
                return rate(0, current, current);
            });
        }

        void observe() {
            counted++;
            int epoch = counted;
            double from = initial;
            link.updateLearningRate(current -> rate(epoch, Double.isNaN(from) ? current : from, current));
        }

        RuleState save() {
            OptionalDouble next = link.learningRate();
            return RuleState.builder()
                    .put("epochs", counted)
                    .put("initial_learning_rate", initial)
                    .put(RunLink.LEARNING_RATE, next.isPresent() ? next.getAsDouble() : Double.NaN)
                    .build();
        }

        void resume(RuleState saved) {
            counted = (int) saved.get("epochs");
            initial = saved.get("initial_learning_rate");
            double next = saved.get(RunLink.LEARNING_RATE);
            if (!Double.isNaN(next)) {
                link.setLearningRate(next);
            } else {
                link.updateLearningRate(current -> rate(counted, Double.isNaN(initial) ? current : initial, current));
            }
        }
    }
}
