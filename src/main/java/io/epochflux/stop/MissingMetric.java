package io.epochflux.stop;

/** What a rule does with an epoch that lacks the metric it monitors. */
public enum MissingMetric {
    /** End the stream with an error that lists the metrics the epoch has (the default). */
    FAIL,
    /** Ignore the epoch, as Keras does (it only warns). */
    SKIP
}
