package io.epochflux.dl4j.internal;

import io.epochflux.nn.OptimizerState;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Set;

/** Moves a DL4J network's parameters and updater state to and from flat float arrays. */
public final class Parameters {

    /** The optimizer name of a DL4J network's state in a checkpoint. */
    public static final String OPTIMIZER = "dl4j";
    /** The slot holding the updater's flat state view. */
    public static final String UPDATER_SLOT = "updater";
    /** The slot holding the network's epoch count (exact in a float up to 2^24 epochs). */
    public static final String EPOCHS_SLOT = "epochs";

    private Parameters() {
    }

    /**
     * Writes flat parameters into the network's parameter view.
     *
     * @param net the network
     * @param values as {@code params().toFloatVector()} gives them
     */
    public static void write(Network net, float[] values) {
        INDArray params = net.params();
        if (values.length != params.length()) {
            throw new IllegalArgumentException("values must have " + params.length()
                    + " numbers (the network's parameter count), but had " + values.length);
        }
        params.assign(Nd4j.create(values, params.shape(), 'c'));
    }

    /**
     * Puts back an updater state with the network's iteration and epoch counts.
     *
     * @param net the network
     * @param state what {@code Dl4jSession.optimizerState()} gave
     */
    public static void writeOptimizerState(Network net, OptimizerState state) {
        if (!state.optimizer().equals(OPTIMIZER)) {
            throw new IllegalArgumentException("optimizer state must be of " + OPTIMIZER + " (a DL4J network's updater), but was of "
                    + state.optimizer());
        }
        if (!state.slotNames().equals(Set.of(UPDATER_SLOT, EPOCHS_SLOT))) {
            throw new IllegalArgumentException("optimizer state must have the slots [" + UPDATER_SLOT + ", " + EPOCHS_SLOT
                    + "], but had " + state.slotNames());
        }
        float[] updater = state.slot(UPDATER_SLOT);
        INDArray view = net.updaterState();
        long expected = view == null ? 0 : view.length();
        if (updater.length != expected) {
            throw new IllegalArgumentException("optimizer slot " + UPDATER_SLOT + " must have " + expected
                    + " values (the updater's state), but had " + updater.length);
        }
        if (view != null) {
            view.assign(Nd4j.create(updater, view.shape(), 'c'));
        }
        if (state.step() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("optimizer step must be <= " + Integer.MAX_VALUE + ", but was " + state.step());
        }
        net.setIterationCount((int) state.step());
        float[] epochs = state.slot(EPOCHS_SLOT);
        if (epochs.length != 1) {
            throw new IllegalArgumentException("optimizer slot " + EPOCHS_SLOT + " must have 1 value, but had " + epochs.length);
        }
        net.setEpochCount((int) epochs[0]);
    }
}
