package io.epochflux.stop;

import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * An epoch lacks the metric a rule monitors. The message names the metric, the epoch, the metrics
 * the epoch has, and the closest name when one is close (the classic {@code val_acc} for
 * {@code val_accuracy}).
 */
public final class MissingMetricException extends IllegalStateException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param rule the rule that monitors the metric
     * @param metric the missing metric
     * @param epoch the epoch that lacks it
     * @param present the metrics the epoch has
     */
    public MissingMetricException(String rule, String metric, int epoch, Collection<String> present) {
        super(rule + " monitors '" + Objects.requireNonNull(metric, "metric") + "', but epoch " + epoch
                + " has only " + String.join(", ", present)
                + closest(metric, present).map(c -> " (did you mean '" + c + "'?)").orElse("")
                + "; use onMissingMetric(MissingMetric.SKIP) to ignore such epochs");
    }

    private static Optional<String> closest(String metric, Collection<String> present) {
        return present.stream()
                .filter(p -> p.startsWith(metric) || metric.startsWith(p) || distance(p, metric) <= 3)
                .min(Comparator.comparingInt(p -> distance(p, metric)));
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
