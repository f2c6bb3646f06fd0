package io.epochflux.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Why a training stream stopped: a name in {@code UPPER_SNAKE_CASE}. The reasons of the built-in
 * rules are constants here; a custom rule makes its own with {@link #of(String)}, and two reasons
 * are equal when their names are.
 *
 * <p><b>JSON.</b> Its name as a JSON string, {@code "PATIENCE_EXHAUSTED"}, written and read by a
 * plain {@code new ObjectMapper()}.
 *
 * @param name the reason's name, such as {@code PATIENCE_EXHAUSTED}
 */
public record StopReason(String name) {

    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    /** Early stopping ran out of patience: the monitored metric stopped improving. */
    public static final StopReason PATIENCE_EXHAUSTED = new StopReason("PATIENCE_EXHAUSTED");
    /** The trainer ran every epoch it was asked for. */
    public static final StopReason MAX_EPOCHS = new StopReason("MAX_EPOCHS");
    /** A metric reached its target ({@code val_accuracy >= 0.95}). */
    public static final StopReason TARGET_REACHED = new StopReason("TARGET_REACHED");
    /** A metric crossed a divergence threshold ({@code val_loss > 10}). */
    public static final StopReason DIVERGED = new StopReason("DIVERGED");
    /** A metric became NaN or infinite. */
    public static final StopReason NON_FINITE = new StopReason("NON_FINITE");
    /** The run used up its wall-clock budget. */
    public static final StopReason TIME_BUDGET = new StopReason("TIME_BUDGET");
    /** A metric did not improve for a given duration. */
    public static final StopReason NO_IMPROVEMENT_FOR = new StopReason("NO_IMPROVEMENT_FOR");
    /** Every rule of an {@code allOf} composition wanted to stop, for different reasons. */
    public static final StopReason ALL_CONDITIONS_MET = new StopReason("ALL_CONDITIONS_MET");
    /** A sweep's pruner stopped the trial: it lost at a rung against the other trials. */
    public static final StopReason PRUNED = new StopReason("PRUNED");

    /**
     * Checks the name.
     *
     * @param name the reason's name
     * @throws IllegalArgumentException when it is not {@code UPPER_SNAKE_CASE}
     */
    public StopReason {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be UPPER_SNAKE_CASE (a capital letter, then capitals, digits"
                    + " or underscores), but was '" + name + "'");
        }
    }

    /**
     * Returns the reason with this name.
     *
     * @param name {@code UPPER_SNAKE_CASE}, such as {@code SLOW_GAINS}
     * @return the reason
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static StopReason of(String name) {
        return new StopReason(name);
    }

    /** @return the reason's name, such as {@code PATIENCE_EXHAUSTED}; its JSON form */
    @Override
    @JsonValue
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
