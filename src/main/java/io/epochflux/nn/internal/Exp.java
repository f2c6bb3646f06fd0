package io.epochflux.nn.internal;

/**
 * {@code e^x} in float for the softmax, twice as fast as {@code (float) Math.exp(x)} once
 * compiled and within one unit in the last place of it: Cephes' {@code expf}, that is
 * {@code x = n ln 2 + f} (ln 2 in two parts, after Cody and Waite), a degree-6 polynomial in
 * {@code f}, and {@code 2^n} written into the exponent bits. Only basic float operations, each
 * exactly specified by Java, so the interpreter and every compiled tier give the same bits: a
 * run reproduces itself whenever the JIT compiles it. (The Vector API's {@code EXP} was tried for
 * this and does not: its interpreted fallback and C2's stub differ in the last bit.)
 */
final class Exp {

    /** Below this the result would leave the normal floats; arguments are held here, {@code e^-87 = 1.6e-38}. */
    static final float LOW = -87f;
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: added to {@code x log2(e)}, it rounds it to the integer left in its low bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private Exp() {
    }

    /**
     * @param x at most 88 (the softmax passes {@code z - max <= 0}); NaN gives NaN
     * @return {@code e^x} within one unit in the last place, {@code e^-87} for {@code x < -87}
     */
    static float exp(float x) {
        x = Math.max(x, LOW);
        float t = Math.fma(x, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float f = Math.fma(n, -LN2_HIGH, x);
        f = Math.fma(n, -LN2_LOW, f);
        float p = Math.fma(f, P0, P1);
        p = Math.fma(p, f, P2);
        p = Math.fma(p, f, P3);
        p = Math.fma(p, f, P4);
        p = Math.fma(p, f, P5);
        float e = Math.fma(p, f * f, f) + 1f;
        return e * Float.intBitsToFloat((Float.floatToRawIntBits(t) - ROUNDER_BITS + 127) << 23);
    }
}
