package io.epochflux.nn;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A training run's optimizer state, for checkpoints: the optimizer's name, its step count and its
 * slots (SGD's momentum {@code velocity}; Adam's {@code m} and {@code v}), each a flat vector laid
 * out as {@link Parameters#toArray()} lays out the parameters. Plain SGD has no slots. Immutable:
 * the arrays are copied in and out.
 *
 * <p>Made by {@link TrainingSession#optimizerState()} and put back with
 * {@link TrainingSession#restoreOptimizerState(OptimizerState)}, so that training continues with
 * exactly the updates it would have made.
 */
public final class OptimizerState {

    private final String optimizer;
    private final long step;
    private final Map<String, float[]> slots;

    private OptimizerState(String optimizer, long step, Map<String, float[]> slots) {
        this.optimizer = optimizer;
        this.step = step;
        this.slots = slots;
    }

    /**
     * Makes a state.
     *
     * @param optimizer the optimizer's name, as {@link Optimizer#name()} gives it
     * @param step the number of updates made, {@code >= 0}
     * @param slots named flat vectors, copied, in a stable order
     * @return the state
     */
    public static OptimizerState of(String optimizer, long step, Map<String, float[]> slots) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(slots, "slots");
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, but was " + step);
        }
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : slots.entrySet()) {
            copy.put(Objects.requireNonNull(e.getKey(), "slot name"), Objects.requireNonNull(e.getValue(), "slot").clone());
        }
        return new OptimizerState(optimizer, step, Collections.unmodifiableMap(copy));
    }

    /** @return the optimizer's name, {@code sgd} or {@code adam} */
    public String optimizer() {
        return optimizer;
    }

    /** @return the number of updates counted by the optimizer (Adam's step; 0 for SGD, which counts none) */
    public long step() {
        return step;
    }

    /** @return the slot names, in order */
    public Set<String> slotNames() {
        return slots.keySet();
    }

    /**
     * Returns one slot.
     *
     * @param name a name from {@link #slotNames()}
     * @return a copy of its values
     * @throws IllegalArgumentException when there is no such slot
     */
    public float[] slot(String name) {
        float[] values = slots.get(Objects.requireNonNull(name, "name"));
        if (values == null) {
            throw new IllegalArgumentException("name must be one of " + slots.keySet() + ", but was '" + name + "'");
        }
        return values.clone();
    }

    /**
     * Checks that this state fits an optimizer and a parameter count.
     *
     * @param expected the optimizer's name
     * @param slotNames the slots it keeps, in order
     * @param size the parameter count
     * @throws IllegalArgumentException naming the mismatch
     */
    public void check(String expected, Set<String> slotNames, int size) {
        if (!optimizer.equals(expected)) {
            throw new IllegalArgumentException("optimizer state must be of " + expected + ", but was of " + optimizer);
        }
        if (!slots.keySet().equals(slotNames)) {
            throw new IllegalArgumentException("optimizer state must have the slots " + slotNames + ", but had "
                    + slots.keySet());
        }
        for (Map.Entry<String, float[]> e : slots.entrySet()) {
            if (e.getValue().length != size) {
                throw new IllegalArgumentException("optimizer slot " + e.getKey() + " must have " + size
                        + " values (the parameter count), but had " + e.getValue().length);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OptimizerState s) || !optimizer.equals(s.optimizer) || step != s.step
                || !slots.keySet().equals(s.slots.keySet())) {
            return false;
        }
        for (Map.Entry<String, float[]> e : slots.entrySet()) {
            if (!Arrays.equals(e.getValue(), s.slots.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(optimizer, step);
        for (Map.Entry<String, float[]> e : slots.entrySet()) {
            h = 31 * h + e.getKey().hashCode() * 17 + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        return "OptimizerState(" + optimizer + ", step " + step + ", slots " + slots.keySet() + ")";
    }
}
