package io.epochflux.stop;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A stop rule's exported state, for checkpoints: named numbers (the best value, the wait counter,
 * ...) and, for a rule that restores weights, the weights it keeps with their epoch. Immutable.
 *
 * <pre>{@code
 * RuleState state = RuleState.builder().put("best", 0.31).put("wait", 4).weights(12, bestWeights).build();
 * }</pre>
 */
public final class RuleState {

    /** The state of a rule that keeps none. */
    public static final RuleState EMPTY = new RuleState(Map.of(), 0, null);

    private final Map<String, Double> values;
    private final int weightsEpoch;
    private final float[] weights;

    private RuleState(Map<String, Double> values, int weightsEpoch, float[] weights) {
        this.values = values;
        this.weightsEpoch = weightsEpoch;
        this.weights = weights;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the named numbers, unmodifiable, in the order they were put */
    public Map<String, Double> values() {
        return values;
    }

    /**
     * Returns one number.
     *
     * @param name its name
     * @return the number
     * @throws IllegalArgumentException when the state has no such number
     */
    public double get(String name) {
        Double v = values.get(Objects.requireNonNull(name, "name"));
        if (v == null) {
            throw new IllegalArgumentException("name must be one of " + values.keySet() + ", but was '" + name + "'");
        }
        return v;
    }

    /** @return the epoch of the kept weights, if any are kept */
    public OptionalInt weightsEpoch() {
        return weights == null ? OptionalInt.empty() : OptionalInt.of(weightsEpoch);
    }

    /** @return a copy of the kept weights, if any are kept */
    public Optional<float[]> weights() {
        return weights == null ? Optional.empty() : Optional.of(weights.clone());
    }

    /** @return whether nothing is kept */
    public boolean isEmpty() {
        return values.isEmpty() && weights == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuleState r && values.equals(r.values) && weightsEpoch == r.weightsEpoch
                && java.util.Arrays.equals(weights, r.weights);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values, weightsEpoch, java.util.Arrays.hashCode(weights));
    }

    @Override
    public String toString() {
        return "RuleState" + values + (weights == null ? "" : " + weights of epoch " + weightsEpoch);
    }

    /** Builds a {@link RuleState}. */
    public static final class Builder {
        private final Map<String, Double> values = new LinkedHashMap<>();
        private int weightsEpoch;
        private float[] weights;

        private Builder() {
        }

        /**
         * Adds a number.
         *
         * @param name its name, not blank
         * @param value any value, NaN and infinities included
         * @return this builder
         */
        public Builder put(String name, double value) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
            }
            values.put(name, value);
            return this;
        }

        /**
         * Keeps weights.
         *
         * @param epoch the epoch they are from, {@code >= 1}
         * @param parameters the flat parameter vector, copied
         * @return this builder
         */
        public Builder weights(int epoch, float[] parameters) {
            Objects.requireNonNull(parameters, "parameters");
            if (epoch < 1) {
                throw new IllegalArgumentException("epoch must be >= 1, but was " + epoch);
            }
            this.weightsEpoch = epoch;
            this.weights = parameters.clone();
            return this;
        }

        /** @return the state */
        public RuleState build() {
            return new RuleState(Collections.unmodifiableMap(new LinkedHashMap<>(values)), weightsEpoch, weights);
        }
    }
}
