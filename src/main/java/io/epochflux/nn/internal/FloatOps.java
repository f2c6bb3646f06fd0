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
     * Adds the bias to every row of {@code z} and writes relu of the result to {@code a}:
     * {@code z[i * out + j] += b[bOff + j]}, {@code a[i * out + j] = max(z[i * out + j], 0)}. One
     * pass over the product's output instead of two.
     *
     * @param z the pre-activations, {@code rows * out}, biased in place
     * @param a the activations, {@code rows * out}, overwritten
     * @param b the parameters holding the bias
     * @param bOff where the bias starts
     * @param rows how many rows
     * @param out units
     */
    default void biasRelu(float[] z, float[] a, float[] b, int bOff, int rows, int out) {
        for (int i = 0; i < rows; i++) {
            int r = i * out;
            for (int j = 0; j < out; j++) {
                float v = z[r + j] + b[bOff + j];
                z[r + j] = v;
                a[r + j] = Math.max(v, 0f);
            }
        }
    }

    /**
     * {@code out[k] = a[k] > 0 ? g[k] : 0} for {@code k < n}: relu's backward pass, read from its
     * output {@code a}, which is positive exactly where its input was.
     *
     * @param a relu's output
     * @param g the gradient with respect to {@code a}
     * @param out the gradient with respect to relu's input, overwritten
     * @param n how many elements
     */
    default void reluBackward(float[] a, float[] g, float[] out, int n) {
        for (int k = 0; k < n; k++) {
            out[k] = a[k] > 0f ? g[k] : 0f;
        }
    }

    /**
     * One step of Keras' Adam in float32, operation for operation: {@code m += (g - m) c1},
     * {@code v += (g g - v) c2}, {@code p -= m alpha / (sqrt(v) + eps)}, where {@code alpha}
     * already holds the step's bias correction. Every implementation gives the same bits: each
     * operation is a correctly rounded float operation in the same order.
     *
     * @param params the parameters, updated
     * @param grad the gradient
     * @param m the first moments, updated
     * @param v the second moments, updated
     * @param alpha the bias-corrected learning rate
     * @param c1 {@code 1 - beta1}
     * @param c2 {@code 1 - beta2}
     * @param eps epsilon
     */
    default void adam(float[] params, float[] grad, float[] m, float[] v, float alpha, float c1, float c2, float eps) {
        for (int k = 0; k < params.length; k++) {
            float g = grad[k];
            m[k] += (g - m[k]) * c1;
            v[k] += (g * g - v[k]) * c2;
            params[k] -= m[k] * alpha / ((float) Math.sqrt(v[k]) + eps);
        }
    }

    /**
     * Tells the loops that the weights changed (an optimizer step, a restore), so that copies of
     * them kept elsewhere are stale. Loops that keep none ignore it.
     */
    default void weightsChanged() {
    }
}
