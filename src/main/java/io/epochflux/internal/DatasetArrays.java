package io.epochflux.internal;

import io.epochflux.data.Dataset;

import java.util.Objects;

/**
 * Reads a {@link Dataset}'s arrays in place, for the kernels: a dataset is immutable, so every
 * training session and evaluation can read the one copy it holds instead of copying it (the
 * large workload's training set is 188 MB as float32). Not API: whoever holds these arrays must
 * never write to them.
 */
public final class DatasetArrays {

    /** What {@link Dataset} hands over; set once, by {@code Dataset}'s class initialisation. */
    public interface Access {
        /**
         * @param dataset a dataset
         * @return its features, row-major, not copied
         */
        float[] features(Dataset dataset);

        /**
         * @param dataset a dataset
         * @return its targets, row-major, not copied
         */
        float[] labels(Dataset dataset);
    }

    private static volatile Access access;

    private DatasetArrays() {
    }

    /**
     * Installs the access; {@code Dataset} calls this once.
     *
     * @param a the access
     */
    public static void install(Access a) {
        access = Objects.requireNonNull(a, "a");
    }

    /**
     * @param dataset a dataset
     * @return its features, row-major, shared: never write to them
     */
    public static float[] features(Dataset dataset) {
        return access().features(dataset);
    }

    /**
     * @param dataset a dataset
     * @return its targets, row-major, shared: never write to them
     */
    public static float[] labels(Dataset dataset) {
        return access().labels(dataset);
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            throw new IllegalStateException("Dataset has not installed its array access");
        }
        return a;
    }
}
