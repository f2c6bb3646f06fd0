package io.epochflux.nn.internal;

import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;

import java.util.Arrays;
import java.util.Objects;

/**
 * The shape of a network and where each parameter lives in its flat parameter vector. Layer
 * {@code l}'s weights are stored {@code [units][inputs]} row-major (each unit's incoming weights
 * contiguous: the transpose of a Keras kernel), followed by its biases.
 */
public final class Layout {

    private final int inputs;
    private final int[] units;
    private final Activation[] activations;
    private final Loss loss;
    private final int[] weightOffsets;
    private final int[] biasOffsets;
    private final int parameterCount;
    private final int maxWidth;

    /**
     * Creates a layout.
     *
     * @param inputs the width of the input
     * @param units the width of each layer
     * @param activations each layer's activation
     * @param loss the loss on the last layer
     */
    public Layout(int inputs, int[] units, Activation[] activations, Loss loss) {
        if (units.length != activations.length || units.length == 0) {
            throw new IllegalArgumentException("a layout needs one activation per layer and at least one layer");
        }
        this.inputs = inputs;
        this.units = units.clone();
        this.activations = activations.clone();
        this.loss = Objects.requireNonNull(loss, "loss");
        this.weightOffsets = new int[units.length];
        this.biasOffsets = new int[units.length];
        long offset = 0;
        int width = inputs;
        int max = inputs;
        for (int l = 0; l < units.length; l++) {
            weightOffsets[l] = (int) offset;
            offset += (long) units[l] * width;
            biasOffsets[l] = (int) offset;
            offset += units[l];
            if (offset > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("the network has more than " + (Integer.MAX_VALUE - 16)
                        + " parameters");
            }
            width = units[l];
            max = Math.max(max, width);
        }
        this.parameterCount = (int) offset;
        this.maxWidth = max;
    }

    /** @return the input width */
    public int inputs() {
        return inputs;
    }

    /** @return the number of layers */
    public int layers() {
        return units.length;
    }

    /**
     * @param layer a layer index
     * @return its width
     */
    public int units(int layer) {
        return units[layer];
    }

    /**
     * @param layer a layer index
     * @return the width of its input
     */
    public int fanIn(int layer) {
        return layer == 0 ? inputs : units[layer - 1];
    }

    /**
     * @param layer a layer index
     * @return its activation
     */
    public Activation activation(int layer) {
        return activations[layer];
    }

    /** @return the loss */
    public Loss loss() {
        return loss;
    }

    /** @return the width of the output */
    public int outputs() {
        return units[units.length - 1];
    }

    /**
     * @param layer a layer index
     * @return where its weights start in the flat vector
     */
    public int weightOffset(int layer) {
        return weightOffsets[layer];
    }

    /**
     * @param layer a layer index
     * @return where its biases start in the flat vector
     */
    public int biasOffset(int layer) {
        return biasOffsets[layer];
    }

    /** @return the length of the flat parameter vector */
    public int parameterCount() {
        return parameterCount;
    }

    /** @return the widest of the input and all layers */
    public int maxWidth() {
        return maxWidth;
    }

    /**
     * Multiply-adds of one example's forward pass; a backward pass costs about twice as much.
     *
     * @return the weights count
     */
    public long multiplyAddsPerExample() {
        long n = 0;
        for (int l = 0; l < units.length; l++) {
            n += (long) units[l] * fanIn(l);
        }
        return n;
    }

    /** @return whether the last layer is a softmax trained with cross-entropy (the fused case) */
    public boolean softmaxCrossEntropy() {
        return loss == Loss.CATEGORICAL_CROSSENTROPY && activations[activations.length - 1] == Activation.SOFTMAX;
    }

    /** @return the shape as Keras would print it, {@code 784-2(relu)-10(softmax)} */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(inputs);
        for (int l = 0; l < units.length; l++) {
            sb.append('-').append(units[l]).append('(').append(activations[l]).append(')');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout other && inputs == other.inputs && Arrays.equals(units, other.units)
                && Arrays.equals(activations, other.activations) && loss == other.loss;
    }

    @Override
    public int hashCode() {
        return Objects.hash(inputs, Arrays.hashCode(units), Arrays.hashCode(activations), loss);
    }

    @Override
    public String toString() {
        return describe() + " " + loss;
    }
}
