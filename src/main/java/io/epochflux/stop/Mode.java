package io.epochflux.stop;

/** Whether a monitored metric should fall or rise. */
public enum Mode {
    /**
     * Decide from the metric's name: {@code loss}, {@code *_loss}, {@code mse}, {@code mae},
     * {@code error} fall; {@code accuracy}, {@code acc}, {@code auc}, {@code precision},
     * {@code recall}, {@code f1} (and {@code *_accuracy}) rise; each also with a {@code val_}
     * prefix. Any other name is refused when the rule is built.
     */
    AUTO,
    /** Lower is better. */
    MIN,
    /** Higher is better. */
    MAX;

    /**
     * Resolves {@link #AUTO} for a metric name.
     *
     * @param metric the monitored metric
     * @return {@link #MIN} or {@link #MAX}
     * @throws IllegalArgumentException when AUTO cannot tell from the name
     */
    public Mode resolve(String metric) {
        if (this != AUTO) {
            return this;
        }
        String base = metric.startsWith("val_") ? metric.substring(4) : metric;
        switch (base) {
            case "loss", "mse", "mae", "error" -> {
                return MIN;
            }
            case "accuracy", "acc", "auc", "precision", "recall", "f1" -> {
                return MAX;
            }
            default -> {
                if (base.endsWith("_loss")) {
                    return MIN;
                }
                if (base.endsWith("_accuracy")) {
                    return MAX;
                }
                throw new IllegalArgumentException("mode AUTO cannot tell whether '" + metric
                        + "' should fall or rise: set mode(Mode.MIN) or mode(Mode.MAX)");
            }
        }
    }
}
