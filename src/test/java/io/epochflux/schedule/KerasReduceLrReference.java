package io.epochflux.schedule;

/**
 * Keras 3's ReduceLROnPlateau, transliterated line by line (keras/src/callbacks/
 * reduce_lr_on_plateau.py: __init__, _reset, on_epoch_end, in_cooldown), to compare against on
 * random sequences. The optimizer's learning rate is a float32 variable, as in Keras; epochs are
 * 0-based, as Keras passes them.
 */
final class KerasReduceLrReference {

    private final String monitor;
    private final double factor;
    private final double minLr;
    private final double minDelta;
    private final int patience;
    private final int cooldown;
    private String mode;
    int cooldownCounter;
    int wait;
    double best;
    private boolean less; // monitor_op: np.less(a, b - min_delta), else np.greater(a, b + min_delta)
    /** self.model.optimizer.learning_rate: a float32 variable. */
    float learningRate;

    KerasReduceLrReference(String monitor, double factor, int patience, String mode, double minDelta, int cooldown,
                           double minLr, double initialLearningRate) {
        this.monitor = monitor;
        if (factor >= 1.0) {
            throw new IllegalArgumentException("ReduceLROnPlateau does not support a factor >= 1.0. Received factor="
                    + factor);
        }
        this.factor = factor;
        this.minLr = minLr;
        this.minDelta = minDelta;
        this.patience = patience;
        this.cooldown = cooldown;
        this.cooldownCounter = 0;
        this.wait = 0;
        this.best = 0;
        this.mode = mode;
        this.learningRate = (float) initialLearningRate;
        reset();
    }

    private void reset() {
        if (!mode.equals("auto") && !mode.equals("min") && !mode.equals("max")) {
            mode = "auto"; // warnings.warn(... fallback to auto mode)
        }
        if (mode.equals("min") || (mode.equals("auto") && !monitor.contains("acc"))) {
            less = true;
            best = Double.POSITIVE_INFINITY;
        } else {
            less = false;
            best = Double.NEGATIVE_INFINITY;
        }
        cooldownCounter = 0;
        wait = 0;
    }

    private boolean monitorOp(double a, double b) {
        return less ? a < b - minDelta : a > b + minDelta;
    }

    void onTrainBegin() {
        reset();
    }

    /**
     * One on_epoch_end.
     *
     * @param epoch 0-based
     * @param current logs.get(self.monitor): null when absent
     * @return logs["learning_rate"], the rate the epoch trained with
     */
    double onEpochEnd(int epoch, Double current) {
        double logged = learningRate; // float(backend.convert_to_numpy(self.model.optimizer.learning_rate))
        if (current == null) {
            return logged; // warnings.warn("Learning rate reduction is conditioned on metric ...")
        }
        if (inCooldown()) {
            cooldownCounter -= 1;
            wait = 0;
        }
        if (monitorOp(current, best)) {
            best = current;
            wait = 0;
        } else if (!inCooldown()) {
            wait += 1;
            if (wait >= patience) {
                double oldLr = learningRate;
                if (oldLr > (float) minLr) { // old_lr > np.float32(self.min_lr)
                    double newLr = oldLr * factor;
                    newLr = Math.max(newLr, minLr);
                    learningRate = (float) newLr; // self.model.optimizer.learning_rate = new_lr
                    cooldownCounter = cooldown;
                    wait = 0;
                }
            }
        }
        return logged;
    }

    boolean inCooldown() {
        return cooldownCounter > 0;
    }
}
