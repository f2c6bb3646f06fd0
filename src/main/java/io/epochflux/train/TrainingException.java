package io.epochflux.train;

/**
 * Training failed inside the stream: the message and {@link #epoch()} / {@link #batch()} say
 * where, the cause says what happened. Reaches the subscriber as {@code onError}.
 */
public final class TrainingException extends RuntimeException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The epoch that failed. */
    private final int epoch;
    /** The batch that failed, or 0. */
    private final int batch;

    /**
     * Creates the exception.
     *
     * @param epoch the epoch that failed, 1-based
     * @param batch the batch that failed, 1-based, or 0 when it failed outside a batch
     * @param batches the number of batches in an epoch
     * @param cause what went wrong
     */
    public TrainingException(int epoch, int batch, int batches, Throwable cause) {
        super("training failed in epoch " + epoch + (batch > 0 ? ", batch " + batch + " of " + batches
                : " (validation or snapshot)") + ": " + cause, cause);
        this.epoch = epoch;
        this.batch = batch;
    }

    /** @return the epoch that failed, 1-based */
    public int epoch() {
        return epoch;
    }

    /** @return the batch that failed, 1-based, or 0 when it failed after the batches */
    public int batch() {
        return batch;
    }
}
