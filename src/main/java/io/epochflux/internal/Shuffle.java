package io.epochflux.internal;

import java.util.SplittableRandom;

/** Fisher-Yates in place, the one shuffle the trainer and its benchmark use. */
public final class Shuffle {

    private Shuffle() {
    }

    /**
     * Shuffles an array in place.
     *
     * @param order the array
     * @param random the random stream
     */
    public static void inPlace(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
