package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import reactor.core.publisher.Flux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Hand-made training streams whose snapshots record when they are restored. */
final class Epochs {

    /** Every restore, in order, as the epoch number whose snapshot was restored. */
    final List<Integer> restored = new ArrayList<>();
    final List<EpochMetrics> epochs = new ArrayList<>();

    /** One epoch per value of {@code metric}, numbered from 1; NaN stays NaN, null leaves the metric out. */
    static Epochs of(String metric, Double... values) {
        Epochs e = new Epochs();
        for (int i = 0; i < values.length; i++) {
            int epoch = i + 1;
            Map<String, Double> m = new java.util.LinkedHashMap<>();
            m.put("loss", 1.0 / epoch);
            if (values[i] != null) {
                m.put(metric, values[i]);
            }
            e.epochs.add(EpochMetrics.of(epoch, m, () -> e.restored.add(epoch)));
        }
        return e;
    }

    Flux<EpochMetrics> flux() {
        return Flux.fromIterable(epochs);
    }

    /** Runs the stream through a rule and returns what came out. */
    List<EpochMetrics> through(StopRule rule) {
        return flux().transform(rule).collectList().block();
    }

    /** The epoch the rule stopped on, or -1 if the stream ran out first. */
    int stopEpoch(StopRule rule) {
        List<EpochMetrics> out = through(rule);
        EpochMetrics last = out.get(out.size() - 1);
        return last.stop().isPresent() ? last.epoch() : -1;
    }
}
