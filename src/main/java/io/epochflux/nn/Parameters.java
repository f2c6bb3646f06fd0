package io.epochflux.nn;

import io.epochflux.nn.internal.Layout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable copy of a network's weights and biases, taken with {@link Sequential#snapshot()}
 * and put back with {@link Sequential#restore(Parameters)}. Taking one copies a flat float
 * array (6.4 KB for the seed's 784-2-10), so a training run can afford one every epoch.
 */
public final class Parameters {

    private final Layout layout;
    private final float[] values;

    Parameters(Layout layout, float[] values) {
        this.layout = layout;
        this.values = values;
    }

    Layout layout() {
        return layout;
    }

    float[] unsafeValues() {
        return values;
    }

    /**
     * Returns the number of numbers held.
     *
     * @return weights and biases of every layer
     */
    public int count() {
        return values.length;
    }

    /**
     * Returns the number of layers.
     *
     * @return layers
     */
    public int layers() {
        return layout.layers();
    }

    /**
     * Returns one layer's weights in Keras' layout.
     *
     * @param layer the layer, {@code 0 <= layer < layers()}
     * @return a new float32 matrix {@code [inputs, units]}
     */
    public INDArray weights(int layer) {
        Objects.checkIndex(layer, layout.layers());
        int out = layout.units(layer);
        int in = layout.fanIn(layer);
        float[] kernel = new float[in * out];
        int offset = layout.weightOffset(layer);
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < in; k++) {
                kernel[k * out + j] = values[offset + j * in + k];
            }
        }
        return Nd4j.create(kernel, new long[] {in, out}, 'c');
    }

    /**
     * Returns one layer's biases.
     *
     * @param layer the layer, {@code 0 <= layer < layers()}
     * @return a new float32 vector {@code [units]}
     */
    public INDArray biases(int layer) {
        Objects.checkIndex(layer, layout.layers());
        int out = layout.units(layer);
        int offset = layout.biasOffset(layer);
        return Nd4j.create(Arrays.copyOfRange(values, offset, offset + out), new long[] {out}, 'c');
    }

    /**
     * Returns one layer's weights in Keras' layout as plain arrays.
     *
     * @param layer the layer, {@code 0 <= layer < layers()}
     * @return a new {@code [inputs][units]} array
     */
    public float[][] weightsArray(int layer) {
        Objects.checkIndex(layer, layout.layers());
        int out = layout.units(layer);
        int in = layout.fanIn(layer);
        int offset = layout.weightOffset(layer);
        float[][] kernel = new float[in][out];
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < in; k++) {
                kernel[k][j] = values[offset + j * in + k];
            }
        }
        return kernel;
    }

    /**
     * Returns one layer's biases as a plain array.
     *
     * @param layer the layer, {@code 0 <= layer < layers()}
     * @return a new array of {@code units} values
     */
    public float[] biasesArray(int layer) {
        Objects.checkIndex(layer, layout.layers());
        int offset = layout.biasOffset(layer);
        return Arrays.copyOfRange(values, offset, offset + layout.units(layer));
    }

    /**
     * Returns every number in one flat array: for each layer, its weights unit by unit
     * ({@code [units][inputs]}), then its biases.
     *
     * @return a copy
     */
    public float[] toArray() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameters other && layout.equals(other.layout) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * layout.hashCode() + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Parameters[" + layout.describe() + ", " + values.length + " values]";
    }
}
