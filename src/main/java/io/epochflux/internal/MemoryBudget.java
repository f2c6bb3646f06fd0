package io.epochflux.internal;

import java.util.Locale;

/**
 * Checks a large allocation against the heap before making it, so that a huge data file or model
 * is refused with its figures instead of ending the JVM's work with an {@link OutOfMemoryError}.
 *
 * <p>The free heap is {@code Runtime.maxMemory()} minus what is in use now, less a margin kept for
 * the rest of the run (the training buffers, the stream, the reports): the larger of
 * {@value #MIN_MARGIN_MIB} MiB and one eighth of the maximum heap. Garbage not yet collected counts
 * as used, so when an allocation seems not to fit but would fit an empty heap, the check asks for a
 * collection once and measures again.
 */
public final class MemoryBudget {

    /** The least heap, in MiB, kept free beside the checked allocation. */
    public static final int MIN_MARGIN_MIB = 64;

    private MemoryBudget() {
    }

    /**
     * Returns the margin kept free beside a checked allocation.
     *
     * @return bytes: the larger of {@value #MIN_MARGIN_MIB} MiB and an eighth of the maximum heap
     */
    public static long margin() {
        return Math.max((long) MIN_MARGIN_MIB << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    /**
     * Returns the heap an allocation may take now: the maximum heap, less what is in use, less the
     * margin.
     *
     * @param bytes the allocation about to be made; a collection is asked for only when it seems not
     *        to fit now but would fit an empty heap
     * @return bytes free for it, never negative
     */
    public static long free(long bytes) {
        long free = measure();
        if (bytes > free && bytes <= Runtime.getRuntime().maxMemory() - margin()) {
            // the shortfall may be garbage only: one collection tells, and it is rare (a large load)
            System.gc();
            free = measure();
        }
        return free;
    }

    private static long measure() {
        Runtime r = Runtime.getRuntime();
        long used = r.totalMemory() - r.freeMemory();
        return Math.max(0, r.maxMemory() - used - margin());
    }

    /**
     * Tells whether an allocation fits the heap with the margin to spare.
     *
     * @param bytes the allocation
     * @return whether {@code bytes <= free(bytes)}
     */
    public static boolean fits(long bytes) {
        return bytes <= free(bytes);
    }

    /**
     * Refuses an allocation that would not fit the heap, naming the figures.
     *
     * @param what what needs the memory and how it is counted, such as {@code "a model of 785,010,000
     *        parameters (x 4 bytes x 5 copies)"}; the message reads "WHAT needs N GB, but ..."
     * @param bytes the bytes it needs, {@code >= 0}
     * @param remedy what the user can change, such as {@code "use narrower layers"}
     * @throws IllegalArgumentException when {@code bytes} exceeds {@link #free(long)}
     */
    public static void checkFits(String what, long bytes, String remedy) {
        long free = free(bytes);
        if (bytes > free) {
            throw new IllegalArgumentException(what + " needs " + bytes(bytes) + ", but the heap has " + bytes(free)
                    + " free (keeping " + bytes(margin()) + " for the rest of the run); raise -Xmx or " + remedy);
        }
    }

    /**
     * Formats a byte count for people: {@code 512 B}, {@code 3.4 MB}, {@code 6.3 GB} (powers of 1000,
     * as disk sizes are printed).
     *
     * @param bytes a count, {@code >= 0}
     * @return the short form
     */
    public static String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 999.95 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * Multiplies counts that may overflow a {@code long}, saturating at {@link Long#MAX_VALUE}:
     * a size this large is refused anyway, and the saturated figure still reads as absurd.
     *
     * @param factors non-negative counts
     * @return their product, or {@link Long#MAX_VALUE} when it does not fit
     */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            try {
                p = Math.multiplyExact(p, f);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return p;
    }
}
