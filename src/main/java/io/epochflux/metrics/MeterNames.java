package io.epochflux.metrics;

import java.util.List;

/**
 * Every meter {@link TrainingMetrics} publishes, with the Prometheus name it appears under, and
 * every tag key. Each name has one fixed set of tag keys: {@value #RUN} and {@value #SWEEP} on
 * every meter, the per-name keys listed below, and the common tags the binder was built with
 * (the same keys for every run a registry holds).
 */
public final class MeterNames {

    /** What every name starts with. */
    static final String PREFIX = "epochflux.";

    /** Counter of epochs completed ({@code epochflux_epochs_total}). Tags: run, sweep. */
    public static final String EPOCHS = "epochflux.epochs";
    /** Timer of epoch durations ({@code epochflux_epoch_duration_seconds}). Tags: run, sweep. */
    public static final String EPOCH_DURATION = "epochflux.epoch.duration";
    /** Gauge of the latest epoch number ({@code epochflux_epoch}). Tags: run, sweep. */
    public static final String EPOCH = "epochflux.epoch";
    /** Gauge of the latest loss ({@code epochflux_loss}). Tags: run, sweep, split. */
    public static final String LOSS = "epochflux.loss";
    /** Gauge of the latest accuracy ({@code epochflux_accuracy_ratio}). Tags: run, sweep, split. */
    public static final String ACCURACY = "epochflux.accuracy";
    /**
     * Gauge of the latest mean absolute error of a regression ({@code epochflux_mae}), registered
     * with the run's first epoch that carries {@code mae}. Tags: run, sweep, split.
     */
    public static final String MAE = "epochflux.mae";
    /**
     * Gauge of the learning rate in force during the latest epoch ({@code epochflux_learning_rate}),
     * as the epochs carry it ({@code learning_rate}) when a learning-rate operator is in the chain;
     * NaN otherwise. Tags: run, sweep.
     */
    public static final String LEARNING_RATE = "epochflux.learning.rate";
    /** Gauge of the monitored metric's best value ({@code epochflux_monitor_best}). Tags: run, sweep, monitor. */
    public static final String MONITOR_BEST = "epochflux.monitor.best";
    /** Gauge of epochs since the monitored metric improved ({@code epochflux_monitor_wait_epochs}). Tags: run, sweep, monitor. */
    public static final String MONITOR_WAIT = "epochflux.monitor.wait";
    /**
     * Gauge of the patience the wait is measured against ({@code epochflux_monitor_patience_epochs}),
     * for rules whose patience is a number of epochs. Tags: run, sweep, monitor.
     */
    public static final String MONITOR_PATIENCE = "epochflux.monitor.patience";
    /** Gauge, 1 for the run's current state and 0 for the others ({@code epochflux_run_state}). Tags: run, sweep, state. */
    public static final String RUN_STATE = "epochflux.run.state";
    /**
     * Gauge, always 1, whose tags are the run's configuration ({@code epochflux_run_info}). Tags:
     * run, sweep and every key of {@link #INFO_KEYS}.
     */
    public static final String RUN_INFO = "epochflux.run.info";
    /** Counter of stops by reason ({@code epochflux_stops_total}). Tags: run, sweep, reason. */
    public static final String STOPS = "epochflux.stops";
    /** Gauge of when the run stopped, in Unix seconds ({@code epochflux_stop_timestamp_seconds}). Tags: run, sweep, reason. */
    public static final String STOP_TIMESTAMP = "epochflux.stop.timestamp";

    /** The tag naming the run. */
    public static final String RUN = "run";
    /** The tag naming the sweep a run belongs to: empty outside sweeps. */
    public static final String SWEEP = "sweep";
    /** The tag telling training from validation figures: {@code train} or {@code validation}. */
    public static final String SPLIT = "split";
    /** The tag naming the monitored metric. */
    public static final String MONITOR = "monitor";
    /** The tag naming a run state. */
    public static final String STATE = "state";
    /** The tag naming a stop reason. */
    public static final String REASON = "reason";

    /** Info tag: the model, as {@code 784-2(relu)-10(softmax)}. */
    public static final String INFO_MODEL = "model";
    /** Info tag: the optimizer's name. */
    public static final String INFO_OPTIMIZER = "optimizer";
    /** Info tag: the learning rate. */
    public static final String INFO_LEARNING_RATE = "learning_rate";
    /** Info tag: the batch size. */
    public static final String INFO_BATCH_SIZE = "batch_size";
    /** Info tag: the epoch limit. */
    public static final String INFO_EPOCHS = "epochs";
    /** Info tag: the seed. */
    public static final String INFO_SEED = "seed";
    /** Info tag: the stop rule's description. */
    public static final String INFO_STOP_RULE = "stop_rule";
    /**
     * The info gauge's tag keys, in order: always all of them (a missing one is published as
     * {@code ""}), and no other, since Prometheus holds one set of label names per metric name.
     */
    public static final List<String> INFO_KEYS = List.of(INFO_MODEL, INFO_OPTIMIZER, INFO_LEARNING_RATE,
            INFO_BATCH_SIZE, INFO_EPOCHS, INFO_SEED, INFO_STOP_RULE);
    /** Every tag key the library sets itself; a common tag may not use one of them. */
    public static final List<String> LIBRARY_TAG_KEYS = List.of(RUN, SWEEP, SPLIT, MONITOR, STATE, REASON,
            INFO_MODEL, INFO_OPTIMIZER, INFO_LEARNING_RATE, INFO_BATCH_SIZE, INFO_EPOCHS, INFO_SEED, INFO_STOP_RULE);

    private MeterNames() {
    }
}
