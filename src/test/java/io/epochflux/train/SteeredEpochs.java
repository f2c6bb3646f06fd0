package io.epochflux.train;

import reactor.core.publisher.Flux;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Hand-made epochs from a stand-in for a training run, for testing learning-rate operators
 * without training: operators steer it through {@link RunLink} exactly as they steer a run (a
 * change made on epoch n applies to epoch n + 1, the rate kept as a float32), and every epoch
 * carries the rate in force as {@code learning_rate}. Each subscription is a fresh run.
 */
public final class SteeredEpochs implements RunLink.Target {

    private float rate;
    private DoubleUnaryOperator pending;

    private SteeredEpochs(double initialRate) {
        this.rate = (float) initialRate;
    }

    /**
     * One epoch per value of {@code metric}, numbered from 1; a null value leaves the metric out.
     *
     * @param initialRate the rate before any operator changes it (the trainer's)
     * @param metric the metric's name
     * @param values its values
     * @return a cold stream
     */
    public static Flux<EpochMetrics> of(double initialRate, String metric, List<Double> values) {
        return Flux.deferContextual(context -> {
            SteeredEpochs run = new SteeredEpochs(initialRate);
            RunLink.from(context).ifPresent(link -> link.connect(run));
            return Flux.range(1, values.size()).map(n -> run.epoch(n, metric, values.get(n - 1)));
        });
    }

    private EpochMetrics epoch(int n, String metric, Double value) {
        DoubleUnaryOperator update = pending;
        pending = null;
        if (update != null) {
            double next = update.applyAsDouble(rate);
            RunLink.checkRate(next);
            rate = (float) next;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        if (value != null) {
            values.put(metric, value);
        }
        values.put(RunLink.LEARNING_RATE, (double) rate);
        return EpochMetrics.of(n, values);
    }

    @Override
    public void onStopReport(StopReport report) {
    }

    @Override
    public void restoreSaved(int epoch, float[] values) {
    }

    @Override
    public void updateLearningRate(DoubleUnaryOperator update) {
        pending = pending == null ? update : pending.andThen(update);
    }

    @Override
    public double nextLearningRate() {
        return pending == null ? rate : (float) pending.applyAsDouble(rate);
    }
}
