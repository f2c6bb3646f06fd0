package io.epochflux.nn;

import java.util.Locale;
import java.util.Objects;

/** The loss a {@link Sequential} minimises, by its Keras name. Both are means over the batch. */
public enum Loss {
    /**
     * {@code -sum_j y_j log(p_j)} per example. After a softmax layer it is computed from the
     * logits ({@code logsumexp(z) - y.z}), so it never takes the log of zero and its gradient is
     * {@code p - y}; after any other activation the probabilities are clipped to
     * {@code [1e-7, 1 - 1e-7]} as Keras does.
     */
    CATEGORICAL_CROSSENTROPY("categorical_crossentropy"),
    /** {@code mean_j (p_j - y_j)^2} per example. */
    MEAN_SQUARED_ERROR("mse");

    private final String kerasName;

    Loss(String kerasName) {
        this.kerasName = kerasName;
    }

    /**
     * Returns the name Keras uses.
     *
     * @return {@code categorical_crossentropy} or {@code mse}
     */
    public String kerasName() {
        return kerasName;
    }

    /**
     * Finds a loss by its Keras name, ignoring case; {@code mean_squared_error} is accepted too.
     *
     * @param name {@code categorical_crossentropy} or {@code mse}
     * @return the loss
     * @throws IllegalArgumentException naming the value and the names that are known
     */
    public static Loss fromName(String name) {
        Objects.requireNonNull(name, "name");
        String key = name.trim().toLowerCase(Locale.ROOT);
        if (key.equals("mean_squared_error")) {
            return MEAN_SQUARED_ERROR;
        }
        for (Loss l : values()) {
            if (l.kerasName.equals(key)) {
                return l;
            }
        }
        throw new IllegalArgumentException("loss must be one of categorical_crossentropy, mse, but was '" + name + "'");
    }

    @Override
    public String toString() {
        return kerasName;
    }
}
