package io.epochflux.nn;

import java.util.Objects;

/**
 * A fully connected layer: {@code activation(x W + b)}, with Keras' defaults (Glorot-uniform
 * weights, zero biases).
 *
 * @param units the number of outputs, {@code >= 1}
 * @param activation what is applied to {@code x W + b}
 */
public record Dense(int units, Activation activation) {

    /**
     * Checks the arguments.
     *
     * @param units the number of outputs, {@code >= 1}
     * @param activation what is applied to {@code x W + b}
     */
    public Dense {
        if (units < 1) {
            throw new IllegalArgumentException("units must be >= 1, but was " + units);
        }
        Objects.requireNonNull(activation, "activation");
    }

    @Override
    public String toString() {
        return "Dense(" + units + ", " + activation + ")";
    }
}
