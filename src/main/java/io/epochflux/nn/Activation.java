package io.epochflux.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/** The activation function of a {@link Dense} layer, by its Keras name. */
public enum Activation {
    /** {@code max(0, z)}. */
    RELU("relu"),
    /** {@code exp(z_j) / sum_k exp(z_k)} over the layer's units. */
    SOFTMAX("softmax"),
    /** {@code 1 / (1 + exp(-z))}. */
    SIGMOID("sigmoid"),
    /** {@code tanh(z)}. */
    TANH("tanh"),
    /** {@code z}: no activation. */
    LINEAR("linear");

    private final String kerasName;

    Activation(String kerasName) {
        this.kerasName = kerasName;
    }

    /**
     * Returns the name Keras uses.
     *
     * @return {@code relu}, {@code softmax}, {@code sigmoid}, {@code tanh} or {@code linear}
     */
    public String kerasName() {
        return kerasName;
    }

    /**
     * Finds an activation by its Keras name, ignoring case.
     *
     * @param name {@code relu}, {@code softmax}, {@code sigmoid}, {@code tanh} or {@code linear}
     * @return the activation
     * @throws IllegalArgumentException naming the value and the names that are known
     */
    public static Activation fromName(String name) {
        Objects.requireNonNull(name, "name");
        String key = name.trim().toLowerCase(Locale.ROOT);
        for (Activation a : values()) {
            if (a.kerasName.equals(key)) {
                return a;
            }
        }
        throw new IllegalArgumentException("activation must be one of " + names() + ", but was '" + name + "'");
    }

    static String names() {
        return Arrays.stream(values()).map(Activation::kerasName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return kerasName;
    }
}
