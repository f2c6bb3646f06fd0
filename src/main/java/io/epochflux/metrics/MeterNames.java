package io.epochflux.metrics;

/**
 * Every meter {@link TrainingMetrics} publishes, with the Prometheus name it appears under. Each
 * name has a fixed set of tag keys, always including {@value #RUN}.
 */
public final class MeterNames {

    /** Counter of epochs completed ({@code epochflux_epochs_total}). Tags: run. */
    public static final String EPOCHS = "epochflux.epochs";
    /** Timer of epoch durations ({@code epochflux_epoch_duration_seconds}). Tags: run. */
    public static final String EPOCH_DURATION = "epochflux.epoch.duration";
    /** Gauge of the latest epoch number ({@code epochflux_epoch}). Tags: run. */
    public static final String EPOCH = "epochflux.epoch";
    /** Gauge of the latest loss ({@code epochflux_loss}). Tags: run, split. */
    public static final String LOSS = "epochflux.loss";
    /** Gauge of the latest accuracy ({@code epochflux_accuracy_ratio}). Tags: run, split. */
    public static final String ACCURACY = "epochflux.accuracy";
    /** Gauge of the monitored metric's best value ({@code epochflux_monitor_best}). Tags: run, monitor. */
    public static final String MONITOR_BEST = "epochflux.monitor.best";
    /** Gauge of epochs since the monitored metric improved ({@code epochflux_monitor_wait_epochs}). Tags: run, monitor. */
    public static final String MONITOR_WAIT = "epochflux.monitor.wait";
    /** Gauge of the patience the wait is measured against ({@code epochflux_monitor_patience_epochs}). Tags: run, monitor. */
    public static final String MONITOR_PATIENCE = "epochflux.monitor.patience";
    /** Gauge, 1 for the run's current state and 0 for the others ({@code epochflux_run_state}). Tags: run, state. */
    public static final String RUN_STATE = "epochflux.run.state";
    /** Gauge, always 1, whose tags are the run's configuration ({@code epochflux_run_info}). */
    public static final String RUN_INFO = "epochflux.run.info";
    /** Counter of stops by reason ({@code epochflux_stops_total}). Tags: run, reason. */
    public static final String STOPS = "epochflux.stops";
    /** Gauge of when the run stopped, in Unix seconds ({@code epochflux_stop_timestamp_seconds}). Tags: run, reason. */
    public static final String STOP_TIMESTAMP = "epochflux.stop.timestamp";

    /** The tag naming the run. */
    public static final String RUN = "run";
    /** The tag telling training from validation figures: {@code train} or {@code validation}. */
    public static final String SPLIT = "split";
    /** The tag naming the monitored metric. */
    public static final String MONITOR = "monitor";
    /** The tag naming a run state. */
    public static final String STATE = "state";
    /** The tag naming a stop reason. */
    public static final String REASON = "reason";

    private MeterNames() {
    }
}
