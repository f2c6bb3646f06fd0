package io.epochflux.nn.internal;

/**
 * {@link FloatOps} in plain Java. The dot products keep eight independent sums (four rows by two
 * units) so that the CPU overlaps them; the gradient loops have no loop-carried dependency, so
 * C2 vectorizes them by itself.
 */
public final class ScalarFloatOps implements FloatOps {

    /** The one instance; it holds no state. */
    public static final ScalarFloatOps INSTANCE = new ScalarFloatOps();

    private ScalarFloatOps() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void forward(float[] w, int wOff, int out, int in, float[] x, int[] xOff, int rows, float[] z) {
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
            int x0 = xOff[i];
            int x1 = xOff[i + 1];
            int x2 = xOff[i + 2];
            int x3 = xOff[i + 3];
            int j = 0;
            for (; j + 2 <= out; j += 2) {
                int a = wOff + j * in;
                int b = a + in;
                float s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
                for (int k = 0; k < in; k++) {
                    float wa = w[a + k];
                    float wb = w[b + k];
                    float v0 = x[x0 + k];
                    float v1 = x[x1 + k];
                    float v2 = x[x2 + k];
                    float v3 = x[x3 + k];
                    s00 = Math.fma(v0, wa, s00);
                    s01 = Math.fma(v0, wb, s01);
                    s10 = Math.fma(v1, wa, s10);
                    s11 = Math.fma(v1, wb, s11);
                    s20 = Math.fma(v2, wa, s20);
                    s21 = Math.fma(v2, wb, s21);
                    s30 = Math.fma(v3, wa, s30);
                    s31 = Math.fma(v3, wb, s31);
                }
                int r = i * out + j;
                z[r] = s00;
                z[r + 1] = s01;
                z[r + out] = s10;
                z[r + out + 1] = s11;
                z[r + 2 * out] = s20;
                z[r + 2 * out + 1] = s21;
                z[r + 3 * out] = s30;
                z[r + 3 * out + 1] = s31;
            }
            for (; j < out; j++) {
                int a = wOff + j * in;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int k = 0; k < in; k++) {
                    float wa = w[a + k];
                    s0 = Math.fma(x[x0 + k], wa, s0);
                    s1 = Math.fma(x[x1 + k], wa, s1);
                    s2 = Math.fma(x[x2 + k], wa, s2);
                    s3 = Math.fma(x[x3 + k], wa, s3);
                }
                z[i * out + j] = s0;
                z[(i + 1) * out + j] = s1;
                z[(i + 2) * out + j] = s2;
                z[(i + 3) * out + j] = s3;
            }
        }
        for (; i < rows; i++) {
            int x0 = xOff[i];
            for (int j = 0; j < out; j++) {
                int a = wOff + j * in;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int k = 0;
                for (; k + 4 <= in; k += 4) {
                    s0 = Math.fma(x[x0 + k], w[a + k], s0);
                    s1 = Math.fma(x[x0 + k + 1], w[a + k + 1], s1);
                    s2 = Math.fma(x[x0 + k + 2], w[a + k + 2], s2);
                    s3 = Math.fma(x[x0 + k + 3], w[a + k + 3], s3);
                }
                for (; k < in; k++) {
                    s0 = Math.fma(x[x0 + k], w[a + k], s0);
                }
                z[i * out + j] = (s0 + s1) + (s2 + s3);
            }
        }
    }

    @Override
    public void accumulateWeightGradient(float[] g, int gOff, int out, int in, float[] delta, float[] x, int[] xOff,
                                         int rows) {
        java.util.Arrays.fill(g, gOff, gOff + out * in, 0f);
        for (int j = 0; j < out; j++) {
            int gj = gOff + j * in;
            int i = 0;
            for (; i + 4 <= rows; i += 4) {
                float d0 = delta[i * out + j];
                float d1 = delta[(i + 1) * out + j];
                float d2 = delta[(i + 2) * out + j];
                float d3 = delta[(i + 3) * out + j];
                if (d0 == 0f && d1 == 0f && d2 == 0f && d3 == 0f) {
                    continue; // a unit that relu switched off for these rows: nothing to add
                }
                int x0 = xOff[i];
                int x1 = xOff[i + 1];
                int x2 = xOff[i + 2];
                int x3 = xOff[i + 3];
                for (int k = 0; k < in; k++) {
                    g[gj + k] += d0 * x[x0 + k] + d1 * x[x1 + k] + d2 * x[x2 + k] + d3 * x[x3 + k];
                }
            }
            for (; i < rows; i++) {
                float d = delta[i * out + j];
                if (d == 0f) {
                    continue;
                }
                int x0 = xOff[i];
                for (int k = 0; k < in; k++) {
                    g[gj + k] += d * x[x0 + k];
                }
            }
        }
    }

    @Override
    public void backpropagate(float[] w, int wOff, int out, int in, float[] delta, int rows, float[] dx) {
        java.util.Arrays.fill(dx, 0, rows * in, 0f);
        for (int i = 0; i < rows; i++) {
            int xi = i * in;
            int j = 0;
            for (; j + 4 <= out; j += 4) {
                float d0 = delta[i * out + j];
                float d1 = delta[i * out + j + 1];
                float d2 = delta[i * out + j + 2];
                float d3 = delta[i * out + j + 3];
                int a = wOff + j * in;
                for (int k = 0; k < in; k++) {
                    dx[xi + k] += d0 * w[a + k] + d1 * w[a + in + k] + d2 * w[a + 2 * in + k] + d3 * w[a + 3 * in + k];
                }
            }
            for (; j < out; j++) {
                float d = delta[i * out + j];
                int a = wOff + j * in;
                for (int k = 0; k < in; k++) {
                    dx[xi + k] += d * w[a + k];
                }
            }
        }
    }
}
