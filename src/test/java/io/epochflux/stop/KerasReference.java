package io.epochflux.stop;

/**
 * Keras 3's EarlyStopping.on_epoch_end, transliterated line by line (keras/src/callbacks/
 * early_stopping.py), to compare against on random sequences. Epochs are 0-based here as in Keras.
 */
final class KerasReference {

    private final boolean less;
    private final double minDelta;
    private final int patience;
    private final Double baseline;
    private final int startFromEpoch;
    private double best;
    private int wait;

    KerasReference(boolean less, double minDelta, int patience, Double baseline, int startFromEpoch) {
        this.less = less;
        this.patience = patience;
        this.baseline = baseline;
        this.startFromEpoch = startFromEpoch;
        // self.min_delta = abs(min_delta); if monitor_op == ops.less: self.min_delta *= -1
        this.minDelta = less ? -Math.abs(minDelta) : Math.abs(minDelta);
        this.best = less ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    private boolean isImprovement(double monitorValue, double referenceValue) {
        // return self.monitor_op(monitor_value - self.min_delta, reference_value)
        return less ? monitorValue - minDelta < referenceValue : monitorValue - minDelta > referenceValue;
    }

    /** @return true when Keras sets stop_training on this epoch */
    boolean onEpochEnd(int epoch, Double current) {
        if (current == null || epoch < startFromEpoch) {
            return false;
        }
        wait += 1;
        if (isImprovement(current, best)) {
            best = current;
            if (baseline == null || isImprovement(current, baseline)) {
                wait = 0;
            }
            return false;
        }
        return wait >= patience && epoch > 0;
    }
}
