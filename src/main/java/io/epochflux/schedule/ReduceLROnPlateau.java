package io.epochflux.schedule;

import io.epochflux.stop.MissingMetric;
import io.epochflux.stop.MissingMetricException;
import io.epochflux.stop.Mode;
import io.epochflux.stop.RuleState;
import io.epochflux.stop.RuleStates;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunLink;
import reactor.core.publisher.Flux;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Lowers the learning rate when a monitored metric has stopped improving, with the semantics of
 * Keras 3's {@code ReduceLROnPlateau} callback, as a Reactor operator.
 *
 * <p>It passes every epoch through unchanged and never ends the stream; it only steers the run
 * upstream, through {@link RunLink}. On each epoch that carries the metric, as Keras'
 * {@code on_epoch_end} does:
 * <ol>
 * <li>in cooldown (the cooldown counter {@code > 0}), the counter goes down by one and the wait
 *     counter is reset to 0;</li>
 * <li>if the value improves on the best so far ({@code current < best - minDelta} for MIN,
 *     {@code current > best + minDelta} for MAX; the first best is infinitely bad, NaN never
 *     improves), it becomes the best and the wait resets to 0;</li>
 * <li>otherwise, out of cooldown, the wait goes up by one, and when {@code wait >= patience} and
 *     the current rate is above {@code minLr} (compared as Keras does, with {@code minLr} as a
 *     float32), the rate becomes {@code max(rate * factor, minLr)}, the cooldown counter becomes
 *     {@code cooldown} and the wait 0.</li>
 * </ol>
 * The new rate applies from the next epoch, whose {@code learning_rate} value shows it. Like
 * Keras, the run keeps the rate as a float32.
 *
 * <pre>
 *   patience 2, factor 0.5, MIN:  val_loss  0.9  0.8  0.8  0.85  0.7 ...
 *                                 wait      0    0    1    2->0
 *   learning_rate:                          0.1  0.1  0.1  0.1   0.05
 *   emitted:                      --e1--e2--e3--e4--e5-- ...     (nothing ends here)
 * </pre>
 *
 * <p>Where this differs from Keras, on purpose: {@link Mode#AUTO} resolves as for
 * {@code EarlyStopping} ({@link Mode#resolve}: names with {@code loss} fall, accuracy-like names
 * rise, an unknown name is refused when built), where Keras' callback takes any name without
 * {@code "acc"} in it as falling (so Keras reduces on a rising {@code val_auc} in AUTO); an epoch
 * without the metric fails the stream by default ({@link MissingMetric#FAIL}), where Keras only
 * warns ({@link MissingMetric#SKIP}). {@code minDelta} keeps its sign, as in Keras' callback (a
 * negative one lets a slightly worse value count as an improvement); {@code EarlyStopping} drops it.
 *
 * <p>The rate changes in time only when this operator sees each epoch on the run's thread: behind
 * a {@code publishOn} it applies one epoch late (see {@link RunLink}). It composes with stop rules
 * in any order: a stop rule ends the stream, and with it the run, whatever this operator set.
 * Its state (best, wait, cooldown counter, the next epoch's rate) joins checkpoints made with
 * {@link RuleStates}.
 *
 * <p>Immutable; every subscription starts with fresh counters, so one instance can be shared.
 */
public final class ReduceLROnPlateau implements Function<Flux<EpochMetrics>, Flux<EpochMetrics>> {

    private final String monitor;
    private final double factor;
    private final int patience;
    private final Mode mode;
    private final double minDelta;
    private final int cooldown;
    private final double minLr;
    private final MissingMetric onMissingMetric;

    private ReduceLROnPlateau(Builder b) {
        this.monitor = b.monitor;
        this.factor = b.factor;
        this.patience = b.patience;
        this.mode = b.mode.resolve(b.monitor);
        this.minDelta = b.minDelta;
        this.cooldown = b.cooldown;
        this.minLr = b.minLr;
        this.onMissingMetric = b.onMissingMetric;
    }

    /**
     * Starts a configuration with Keras' defaults: monitor {@code val_loss}, factor 0.1,
     * patience 10, mode AUTO, minDelta 1e-4, cooldown 0, minLr 0, and FAIL on a missing metric
     * (Keras only warns; choose {@link MissingMetric#SKIP} for that).
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the monitored metric */
    public String monitor() {
        return monitor;
    }

    /** @return what the rate is multiplied by on a plateau, {@code >= 0} and {@code < 1} */
    public double factor() {
        return factor;
    }

    /** @return epochs without improvement before the rate is lowered */
    public int patience() {
        return patience;
    }

    /** @return MIN or MAX, AUTO already resolved */
    public Mode mode() {
        return mode;
    }

    /** @return the least change that counts as an improvement, with its sign as given */
    public double minDelta() {
        return minDelta;
    }

    /** @return epochs after a reduction during which the wait stays at 0 */
    public int cooldown() {
        return cooldown;
    }

    /** @return the lowest rate this operator sets */
    public double minLr() {
        return minLr;
    }

    /** @return what happens on an epoch without the metric */
    public MissingMetric onMissingMetric() {
        return onMissingMetric;
    }

    /**
     * Keras' improvement test: {@code current < best - minDelta} for MIN,
     * {@code current > best + minDelta} for MAX. False for NaN.
     *
     * @param current the new value
     * @param best the best so far
     * @return whether {@code current} improves on {@code best}
     */
    public boolean improves(double current, double best) {
        return mode == Mode.MIN ? current < best - minDelta : current > best + minDelta;
    }

    /**
     * Describes the operator, for reports and checkpoints.
     *
     * @return for example {@code ReduceLROnPlateau(monitor=val_loss, mode=min, factor=0.1, patience=10,
     *         minDelta=1.0E-4, cooldown=0, minLr=0.0)}
     */
    public String describe() {
        return "ReduceLROnPlateau(monitor=" + monitor + ", mode=" + mode.name().toLowerCase(Locale.ROOT)
                + ", factor=" + factor + ", patience=" + patience + ", minDelta=" + minDelta
                + ", cooldown=" + cooldown + ", minLr=" + minLr
                + (onMissingMetric != MissingMetric.FAIL ? ", onMissingMetric=" + onMissingMetric : "") + ")";
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * Applies the operator to a training stream.
     *
     * @param epochs the training stream
     * @return the same epochs; the run upstream trains each next epoch at the rate decided here
     */
    @Override
    public Flux<EpochMetrics> apply(Flux<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        return Flux.deferContextual(downstream -> {
            RunLink link = RunLink.steering(downstream);
            Plateau plateau = new Plateau(link);
            RuleState saved = RuleStates.join(downstream, describe(), plateau::save);
            if (!saved.isEmpty()) {
                plateau.resume(saved);
            }
            return epochs.contextWrite(link::into)
                    .map(epoch -> {
                        plateau.observe(epoch);
                        return epoch;
                    });
        });
    }

    /** One subscription's counters; used on the thread that delivers the epochs. */
    private final class Plateau {
        private final RunLink link;
        private double best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        private int wait;
        private int cooldownCounter;
        private double lastSeenRate = Double.NaN;

        Plateau(RunLink link) {
            this.link = link;
        }

        void observe(EpochMetrics epoch) {
            epoch.value(RunLink.LEARNING_RATE).ifPresent(r -> lastSeenRate = r);
            OptionalDouble value = epoch.value(monitor);
            if (value.isEmpty()) {
                if (onMissingMetric == MissingMetric.FAIL) {
                    throw new MissingMetricException(describe(), monitor, epoch.epoch(), epoch.values().keySet());
                }
                return;
            }
            double current = value.getAsDouble();
            if (cooldownCounter > 0) {
                cooldownCounter--;
                wait = 0;
            }
            if (improves(current, best)) {
                best = current;
                wait = 0;
            } else if (cooldownCounter <= 0) {
                wait++;
                if (wait >= patience) {
                    double oldLr = rate(epoch);
                    // as Keras: np.float32(min_lr), so a rate that reached minLr (kept as a float32) stops there
                    if (oldLr > (float) minLr) {
                        link.setLearningRate(Math.max(oldLr * factor, minLr));
                        cooldownCounter = cooldown;
                        wait = 0;
                    }
                }
            }
        }

        /** The rate the next epoch would train with: the run's, else what the epochs carried. */
        private double rate(EpochMetrics epoch) {
            OptionalDouble r = link.learningRate();
            if (r.isPresent()) {
                return r.getAsDouble();
            }
            if (!Double.isNaN(lastSeenRate)) {
                return lastSeenRate;
            }
            throw new IllegalStateException(describe() + " needs the learning rate, but epoch " + epoch.epoch()
                    + " has no " + RunLink.LEARNING_RATE + " and no training run is upstream");
        }

        RuleState save() {
            OptionalDouble next = link.learningRate();
            return RuleState.builder()
                    .put("best", best)
                    .put("wait", wait)
                    .put("cooldown_counter", cooldownCounter)
                    .put(RunLink.LEARNING_RATE, next.isPresent() ? next.getAsDouble() : lastSeenRate)
                    .build();
        }

        void resume(RuleState saved) {
            best = saved.get("best");
            wait = (int) saved.get("wait");
            cooldownCounter = (int) saved.get("cooldown_counter");
            double rate = saved.get(RunLink.LEARNING_RATE);
            if (!Double.isNaN(rate)) {
                link.setLearningRate(rate);
            }
        }
    }

    /** Builds a {@link ReduceLROnPlateau}; every setting has Keras' default. */
    public static final class Builder {
        private String monitor = "val_loss";
        private double factor = 0.1;
        private int patience = 10;
        private Mode mode = Mode.AUTO;
        private double minDelta = 1e-4;
        private int cooldown;
        private double minLr;
        private MissingMetric onMissingMetric = MissingMetric.FAIL;

        private Builder() {
        }

        /**
         * Sets the metric to watch (default {@code val_loss}).
         *
         * @param monitor a metric name
         * @return this builder
         */
        public Builder monitor(String monitor) {
            Objects.requireNonNull(monitor, "monitor");
            if (monitor.isBlank()) {
                throw new IllegalArgumentException("monitor must not be blank, but was '" + monitor + "'");
            }
            this.monitor = monitor;
            return this;
        }

        /**
         * Sets what the rate is multiplied by on a plateau (default 0.1).
         *
         * @param factor {@code >= 0} and {@code < 1}, as Keras refuses a factor {@code >= 1}
         * @return this builder
         */
        public Builder factor(double factor) {
            if (!(factor >= 0 && factor < 1)) {
                throw new IllegalArgumentException("factor must be >= 0 and < 1, but was " + factor);
            }
            this.factor = factor;
            return this;
        }

        /**
         * Sets how many epochs without improvement come before a reduction (default 10).
         *
         * @param patience {@code >= 0}; 0 behaves like 1, as in Keras
         * @return this builder
         */
        public Builder patience(int patience) {
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be >= 0, but was " + patience);
            }
            this.patience = patience;
            return this;
        }

        /**
         * Sets whether the metric should fall or rise (default AUTO: from its name, as
         * {@link Mode#resolve} reads it).
         *
         * @param mode AUTO, MIN or MAX
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the least change that counts as an improvement (default 1e-4). Unlike
         * {@code EarlyStopping}, and as in Keras' callback, its sign is kept.
         *
         * @param minDelta a finite number
         * @return this builder
         */
        public Builder minDelta(double minDelta) {
            if (!Double.isFinite(minDelta)) {
                throw new IllegalArgumentException("minDelta must be finite, but was " + minDelta);
            }
            this.minDelta = minDelta;
            return this;
        }

        /**
         * Sets how many epochs after a reduction the wait counter is held at 0 (default 0).
         *
         * @param cooldown {@code >= 0}
         * @return this builder
         */
        public Builder cooldown(int cooldown) {
            if (cooldown < 0) {
                throw new IllegalArgumentException("cooldown must be >= 0, but was " + cooldown);
            }
            this.cooldown = cooldown;
            return this;
        }

        /**
         * Sets the lowest rate a reduction goes to (default 0).
         *
         * @param minLr {@code >= 0} and finite
         * @return this builder
         */
        public Builder minLr(double minLr) {
            if (!(minLr >= 0 && Double.isFinite(minLr))) {
                throw new IllegalArgumentException("minLr must be >= 0 and finite, but was " + minLr);
            }
            this.minLr = minLr;
            return this;
        }

        /**
         * Sets what to do with an epoch that lacks the metric (default FAIL; Keras' behaviour is
         * SKIP, with a warning).
         *
         * @param onMissingMetric FAIL or SKIP
         * @return this builder
         */
        public Builder onMissingMetric(MissingMetric onMissingMetric) {
            this.onMissingMetric = Objects.requireNonNull(onMissingMetric, "onMissingMetric");
            return this;
        }

        /**
         * Builds the operator.
         *
         * @return the operator
         * @throws IllegalArgumentException when mode is AUTO and the metric's name does not say
         *         which way it should go
         */
        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }
}
