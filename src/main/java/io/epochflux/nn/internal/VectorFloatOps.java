package io.epochflux.nn.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatOps} on the JDK's incubating Vector API, at the widest lane count the CPU offers.
 * Loaded only when the {@code jdk.incubator.vector} module is present (run the JVM with
 * {@code --add-modules jdk.incubator.vector}); {@link Kernels} falls back to
 * {@link ScalarFloatOps} otherwise. Tails shorter than a vector run as scalar loops.
 */
public final class VectorFloatOps implements FloatOps {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** The one instance; it holds no state. */
    public static final VectorFloatOps INSTANCE = new VectorFloatOps();

    private VectorFloatOps() {
    }

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    @Override
    public void forward(float[] w, int wOff, int out, int in, float[] x, int[] xOff, int rows, float[] z) {
        int bound = S.loopBound(in);
        if (bound == 0) {
            // inputs narrower than a vector (the seed's output layer reads 2): each sum is its
            // scalar tail alone, so skip the empty vector sums and their reductions (the same bits:
            // those reductions give +0, where a scalar sum starts)
            for (int i = 0; i < rows; i++) {
                int x0 = xOff[i];
                for (int j = 0; j < out; j++) {
                    int a = wOff + j * in;
                    float t = 0f;
                    for (int k = 0; k < in; k++) {
                        t = Math.fma(x[x0 + k], w[a + k], t);
                    }
                    z[i * out + j] = t;
                }
            }
            return;
        }
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
                FloatVector s00 = FloatVector.zero(S);
                FloatVector s01 = s00;
                FloatVector s10 = s00;
                FloatVector s11 = s00;
                FloatVector s20 = s00;
                FloatVector s21 = s00;
                FloatVector s30 = s00;
                FloatVector s31 = s00;
                int k = 0;
                for (; k < bound; k += L) {
                    FloatVector wa = FloatVector.fromArray(S, w, a + k);
                    FloatVector wb = FloatVector.fromArray(S, w, b + k);
                    FloatVector v0 = FloatVector.fromArray(S, x, x0 + k);
                    FloatVector v1 = FloatVector.fromArray(S, x, x1 + k);
                    FloatVector v2 = FloatVector.fromArray(S, x, x2 + k);
                    FloatVector v3 = FloatVector.fromArray(S, x, x3 + k);
                    s00 = v0.fma(wa, s00);
                    s01 = v0.fma(wb, s01);
                    s10 = v1.fma(wa, s10);
                    s11 = v1.fma(wb, s11);
                    s20 = v2.fma(wa, s20);
                    s21 = v2.fma(wb, s21);
                    s30 = v3.fma(wa, s30);
                    s31 = v3.fma(wb, s31);
                }
                float t00 = s00.reduceLanes(VectorOperators.ADD);
                float t01 = s01.reduceLanes(VectorOperators.ADD);
                float t10 = s10.reduceLanes(VectorOperators.ADD);
                float t11 = s11.reduceLanes(VectorOperators.ADD);
                float t20 = s20.reduceLanes(VectorOperators.ADD);
                float t21 = s21.reduceLanes(VectorOperators.ADD);
                float t30 = s30.reduceLanes(VectorOperators.ADD);
                float t31 = s31.reduceLanes(VectorOperators.ADD);
                for (; k < in; k++) {
                    float wa = w[a + k];
                    float wb = w[b + k];
                    t00 = Math.fma(x[x0 + k], wa, t00);
                    t01 = Math.fma(x[x0 + k], wb, t01);
                    t10 = Math.fma(x[x1 + k], wa, t10);
                    t11 = Math.fma(x[x1 + k], wb, t11);
                    t20 = Math.fma(x[x2 + k], wa, t20);
                    t21 = Math.fma(x[x2 + k], wb, t21);
                    t30 = Math.fma(x[x3 + k], wa, t30);
                    t31 = Math.fma(x[x3 + k], wb, t31);
                }
                int r = i * out + j;
                z[r] = t00;
                z[r + 1] = t01;
                z[r + out] = t10;
                z[r + out + 1] = t11;
                z[r + 2 * out] = t20;
                z[r + 2 * out + 1] = t21;
                z[r + 3 * out] = t30;
                z[r + 3 * out + 1] = t31;
            }
            for (; j < out; j++) {
                int a = wOff + j * in;
                for (int q = 0; q < 4; q++) {
                    z[(i + q) * out + j] = dot(w, a, x, xOff[i + q], in, bound);
                }
            }
        }
        for (; i < rows; i++) {
            for (int j = 0; j < out; j++) {
                z[i * out + j] = dot(w, wOff + j * in, x, xOff[i], in, bound);
            }
        }
    }

    private static float dot(float[] w, int a, float[] x, int x0, int in, int bound) {
        // four sums in flight: one chain of dependent multiply-adds waited on each load (the batch's
        // last rows, read from anywhere in the data, took half as long as four rows together)
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int k = 0;
        for (; k + 4 * L <= bound; k += 4 * L) {
            s0 = FloatVector.fromArray(S, x, x0 + k).fma(FloatVector.fromArray(S, w, a + k), s0);
            s1 = FloatVector.fromArray(S, x, x0 + k + L).fma(FloatVector.fromArray(S, w, a + k + L), s1);
            s2 = FloatVector.fromArray(S, x, x0 + k + 2 * L).fma(FloatVector.fromArray(S, w, a + k + 2 * L), s2);
            s3 = FloatVector.fromArray(S, x, x0 + k + 3 * L).fma(FloatVector.fromArray(S, w, a + k + 3 * L), s3);
        }
        for (; k < bound; k += L) {
            s0 = FloatVector.fromArray(S, x, x0 + k).fma(FloatVector.fromArray(S, w, a + k), s0);
        }
        float t = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; k < in; k++) {
            t = Math.fma(x[x0 + k], w[a + k], t);
        }
        return t;
    }

    @Override
    public void accumulateWeightGradient(float[] g, int gOff, int out, int in, float[] delta, float[] x, int[] xOff,
                                         int rows) {
        int bound = S.loopBound(in);
        if (bound == 0) {
            // the scalar tails alone, which are the plain loops' operations in their order; in a
            // method of their own, the vector loops' compiled code never meets a shape that skips
            // them (each such call cost a recompilation while warming up)
            ScalarFloatOps.INSTANCE.accumulateWeightGradient(g, gOff, out, in, delta, x, xOff, rows);
            return;
        }
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
                FloatVector b0 = FloatVector.broadcast(S, d0);
                FloatVector b1 = FloatVector.broadcast(S, d1);
                FloatVector b2 = FloatVector.broadcast(S, d2);
                FloatVector b3 = FloatVector.broadcast(S, d3);
                int k = 0;
                for (; k < bound; k += L) {
                    FloatVector acc = FloatVector.fromArray(S, g, gj + k);
                    acc = FloatVector.fromArray(S, x, x0 + k).fma(b0, acc);
                    acc = FloatVector.fromArray(S, x, x1 + k).fma(b1, acc);
                    acc = FloatVector.fromArray(S, x, x2 + k).fma(b2, acc);
                    acc = FloatVector.fromArray(S, x, x3 + k).fma(b3, acc);
                    acc.intoArray(g, gj + k);
                }
                for (; k < in; k++) {
                    g[gj + k] += d0 * x[x0 + k] + d1 * x[x1 + k] + d2 * x[x2 + k] + d3 * x[x3 + k];
                }
            }
            for (; i < rows; i++) {
                float d = delta[i * out + j];
                if (d == 0f) {
                    continue;
                }
                int x0 = xOff[i];
                FloatVector bd = FloatVector.broadcast(S, d);
                int k = 0;
                for (; k < bound; k += L) {
                    FloatVector.fromArray(S, x, x0 + k).fma(bd, FloatVector.fromArray(S, g, gj + k)).intoArray(g, gj + k);
                }
                for (; k < in; k++) {
                    g[gj + k] += d * x[x0 + k];
                }
            }
        }
    }

    @Override
    public void backpropagate(float[] w, int wOff, int out, int in, float[] delta, int rows, float[] dx) {
        int bound = S.loopBound(in);
        java.util.Arrays.fill(dx, 0, rows * in, 0f);
        for (int i = 0; i < rows; i++) {
            int xi = i * in;
            for (int j = 0; j < out; j++) {
                float d = delta[i * out + j];
                if (d == 0f) {
                    continue;
                }
                int a = wOff + j * in;
                FloatVector bd = FloatVector.broadcast(S, d);
                int k = 0;
                for (; k < bound; k += L) {
                    FloatVector.fromArray(S, w, a + k).fma(bd, FloatVector.fromArray(S, dx, xi + k)).intoArray(dx, xi + k);
                }
                for (; k < in; k++) {
                    dx[xi + k] += d * w[a + k];
                }
            }
        }
    }

    @Override
    public void biasRelu(float[] z, float[] a, float[] b, int bOff, int rows, int out) {
        int bound = S.loopBound(out);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < rows; i++) {
            int r = i * out;
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector v = FloatVector.fromArray(S, z, r + j).add(FloatVector.fromArray(S, b, bOff + j));
                v.intoArray(z, r + j);
                v.max(zero).intoArray(a, r + j);
            }
            for (; j < out; j++) {
                float v = z[r + j] + b[bOff + j];
                z[r + j] = v;
                a[r + j] = Math.max(v, 0f);
            }
        }
    }

    @Override
    public void reluBackward(float[] a, float[] g, float[] out, int n) {
        // a blend under a mask: the scalar loop's branch follows the data's signs and mispredicts
        FloatVector zero = FloatVector.zero(S);
        int bound = S.loopBound(n);
        int k = 0;
        for (; k < bound; k += L) {
            FloatVector av = FloatVector.fromArray(S, a, k);
            zero.blend(FloatVector.fromArray(S, g, k), av.compare(VectorOperators.GT, 0f)).intoArray(out, k);
        }
        for (; k < n; k++) {
            out[k] = a[k] > 0f ? g[k] : 0f;
        }
    }

    @Override
    public void adam(float[] params, float[] grad, float[] m, float[] v, float alpha, float c1, float c2, float eps) {
        int n = params.length;
        int bound = S.loopBound(n);
        int k = 0;
        for (; k < bound; k += L) {
            FloatVector g = FloatVector.fromArray(S, grad, k);
            FloatVector mk = FloatVector.fromArray(S, m, k);
            FloatVector vk = FloatVector.fromArray(S, v, k);
            mk = mk.add(g.sub(mk).mul(c1));
            vk = vk.add(g.mul(g).sub(vk).mul(c2));
            mk.intoArray(m, k);
            vk.intoArray(v, k);
            FloatVector step = mk.mul(alpha).div(vk.lanewise(VectorOperators.SQRT).add(eps));
            FloatVector.fromArray(S, params, k).sub(step).intoArray(params, k);
        }
        for (; k < n; k++) {
            float g = grad[k];
            m[k] += (g - m[k]) * c1;
            v[k] += (g * g - v[k]) * c2;
            params[k] -= m[k] * alpha / ((float) Math.sqrt(v[k]) + eps);
        }
    }
}
