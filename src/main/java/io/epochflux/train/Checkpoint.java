package io.epochflux.train;

import io.epochflux.data.Dataset;
import io.epochflux.nn.OptimizerState;
import io.epochflux.nn.Trainable;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A training run's state at the end of an epoch: everything the run needs to continue exactly as
 * if it had never stopped. Taken on the run's thread between two epochs through
 * {@link RunLink#checkpoint()}, and continued from with
 * {@link Trainer#fit(Trainable, Dataset, Dataset, Checkpoint)}; the stop rules' states travel
 * beside it (see {@code io.epochflux.checkpoint}).
 *
 * <p>The shuffle stream is one {@code SplittableRandom(seed)} per run, which cannot export its
 * state; a run continued from a checkpoint replays {@link #shuffles()} shuffles from the seed
 * instead (microseconds per epoch), so seeded results stay those of an uninterrupted run.
 * A checkpoint also says what it belongs to (the model's shape, the trainer's settings apart
 * from the epoch limit, the training data's digest), so that continuing a different run is
 * refused rather than silently producing something else, and the BLAS thread count
 * ({@code OMP_NUM_THREADS}) it was taken under, which floating-point results can depend on.
 *
 * @param epoch the last completed epoch, {@code >= 1}; the continued run's first epoch is {@code epoch + 1}
 * @param weights the flat parameter vector at the end of that epoch (copied in and out)
 * @param optimizer the optimizer state at the end of that epoch
 * @param shuffles how many times the run had shuffled its training order, {@code >= 0}
 * @param seed the trainer's seed
 * @param settings the trainer's settings as {@link #settingsOf(Trainer)} gives them
 * @param model the model's description ({@link Trainable#describe()})
 * @param trainDigest the training data's SHA-256 ({@link Dataset#digest()})
 * @param ompNumThreads the value of {@code OMP_NUM_THREADS} in the process that took it, if set
 */
public record Checkpoint(int epoch, float[] weights, OptimizerState optimizer, int shuffles, long seed,
                         Map<String, String> settings, String model, String trainDigest,
                         Optional<String> ompNumThreads) {

    /**
     * Checks and copies the parts.
     *
     * @param epoch the last completed epoch
     * @param weights the parameters
     * @param optimizer the optimizer state
     * @param shuffles shuffles drawn
     * @param seed the seed
     * @param settings the trainer's settings
     * @param model the model's description
     * @param trainDigest the training data's digest
     * @param ompNumThreads {@code OMP_NUM_THREADS}, if set
     */
    public Checkpoint {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(trainDigest, "trainDigest");
        Objects.requireNonNull(ompNumThreads, "ompNumThreads");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, but was " + epoch);
        }
        if (shuffles < 0) {
            throw new IllegalArgumentException("shuffles must be >= 0, but was " + shuffles);
        }
        weights = weights.clone();
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** @return a copy of the flat parameter vector */
    @Override
    public float[] weights() {
        return weights.clone();
    }

    /**
     * The settings a continued run must share with the one checkpointed: the trainer's
     * {@link Trainer#describe()} without the epoch limit (which may grow), values as text.
     *
     * @param trainer the trainer
     * @return setting names to values, in a stable order
     */
    public static Map<String, String> settingsOf(Trainer trainer) {
        Objects.requireNonNull(trainer, "trainer");
        Map<String, String> s = new LinkedHashMap<>();
        trainer.describe().forEach((k, v) -> {
            if (!k.equals("epochs")) {
                s.put(k, String.valueOf(v));
            }
        });
        return s;
    }

    /**
     * Checks that a run of {@code trainer} on {@code model} and {@code train} may continue from
     * this checkpoint.
     *
     * @param trainer the trainer
     * @param model the model
     * @param train the training data
     * @throws IllegalArgumentException naming the first mismatch
     */
    public void checkFits(Trainer trainer, Trainable model, Dataset train) {
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        if (!model.describe().equals(this.model) || model.parameterCount() != weights.length) {
            throw new IllegalArgumentException("model must be " + this.model + " (" + weights.length
                    + " parameters) to continue this checkpoint, but was " + model.describe() + " ("
                    + model.parameterCount() + " parameters)");
        }
        Map<String, String> mine = settingsOf(trainer);
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String other = mine.get(e.getKey());
            if (!e.getValue().equals(other)) {
                throw new IllegalArgumentException("trainer setting " + e.getKey() + " must be " + e.getValue()
                        + " to continue this checkpoint, but was " + other);
            }
        }
        if (!mine.keySet().equals(settings.keySet())) {
            throw new IllegalArgumentException("trainer settings must be " + settings.keySet()
                    + " to continue this checkpoint, but were " + mine.keySet());
        }
        if (!train.digest().equals(trainDigest)) {
            throw new IllegalArgumentException("train must be the data this checkpoint was trained on (sha256 "
                    + trainDigest + "), but was " + train.name() + " (sha256 " + train.digest() + ")");
        }
        if (trainer.epochs() <= epoch) {
            throw new IllegalArgumentException("epochs must be > " + epoch
                    + " (the checkpoint's epoch) to continue it, but was " + trainer.epochs());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && epoch == c.epoch && Arrays.equals(weights, c.weights)
                && optimizer.equals(c.optimizer) && shuffles == c.shuffles && seed == c.seed
                && settings.equals(c.settings) && model.equals(c.model) && trainDigest.equals(c.trainDigest)
                && ompNumThreads.equals(c.ompNumThreads);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, Arrays.hashCode(weights), optimizer, shuffles, seed, settings, model, trainDigest,
                ompNumThreads);
    }

    @Override
    public String toString() {
        return "Checkpoint(epoch " + epoch + ", " + model + ", " + weights.length + " parameters, " + optimizer
                + ", seed " + seed + ")";
    }
}
