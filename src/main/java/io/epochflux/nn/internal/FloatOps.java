package io.epochflux.nn.internal;

/**
 * The three loops of a dense layer over heap {@code float[]} arrays, which is where a small
 * network spends its time. Weights are stored {@code [out][in]} row-major starting at
 * {@code wOff}; a batch's input rows start at the offsets {@code xOff[0..rows)} of {@code x}, so
 * the first layer reads shuffled examples straight out of the dataset without copying them.
 *
 * <p>Two implementations: plain Java loops ({@link ScalarFloatOps}) and the JDK's incubating
 * Vector API ({@code VectorFloatOps}), chosen at run time by {@link Kernels}.
 */
public interface FloatOps {

    /**
     * Returns a short name for reports.
     *
     * @return {@code scalar} or {@code vector-<bits>}
     */
    String name();

    /**
     * {@code z[i * out + j] = sum_k w[wOff + j * in + k] * x[xOff[i] + k]} for every row
     * {@code i < rows} and unit {@code j < out}.
     *
     * @param w the weights
     * @param wOff where the layer's weights start
     * @param out units
     * @param in inputs per unit
     * @param x the input rows
     * @param xOff where each input row starts
     * @param rows how many rows
     * @param z the pre-activations, {@code rows * out}
     */
    void forward(float[] w, int wOff, int out, int in, float[] x, int[] xOff, int rows, float[] z);

    /**
     * {@code g[gOff + j * in + k] = sum_i delta[i * out + j] * x[xOff[i] + k]}: the weight
     * gradient of a batch, overwriting the layer's part of {@code g}.
     *
     * @param g the gradient vector
     * @param gOff where the layer's weight gradient starts
     * @param out units
     * @param in inputs per unit
     * @param delta the gradient of the pre-activations, {@code rows * out}
     * @param x the input rows
     * @param xOff where each input row starts
     * @param rows how many rows
     */
    void accumulateWeightGradient(float[] g, int gOff, int out, int in, float[] delta, float[] x, int[] xOff,
                                  int rows);

    /**
     * {@code dx[i * in + k] = sum_j delta[i * out + j] * w[wOff + j * in + k]}: the gradient
     * of a layer's input.
     *
     * @param w the weights
     * @param wOff where the layer's weights start
     * @param out units
     * @param in inputs per unit
     * @param delta the gradient of the pre-activations, {@code rows * out}
     * @param rows how many rows
     * @param dx the input gradient, {@code rows * in}, overwritten
     */
    void backpropagate(float[] w, int wOff, int out, int in, float[] delta, int rows, float[] dx);

    /**
     * Tells the loops that the weights changed (an optimizer step, a restore), so that copies of
     * them kept elsewhere are stale. Loops that keep none ignore it.
     */
    default void weightsChanged() {
    }
}
