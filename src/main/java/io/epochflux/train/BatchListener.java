package io.epochflux.train;

/**
 * Hears of every training batch as it finishes, on the training thread: for progress bars within
 * long epochs. Keep it quick; it runs between two batches.
 */
@FunctionalInterface
public interface BatchListener {

    /**
     * Called after each batch.
     *
     * @param epoch the epoch, 1-based
     * @param batch the batch just finished, 1-based
     * @param batches the number of batches in the epoch
     * @param loss the epoch's running mean loss so far
     * @param accuracy the epoch's running accuracy so far
     */
    void onBatch(int epoch, int batch, int batches, double loss, double accuracy);
}
