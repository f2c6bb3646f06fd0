package io.epochflux.cli;

import io.epochflux.internal.Format;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.stop.Mode;
import io.epochflux.stop.StopRule;
import io.epochflux.stop.StopWhen;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Early stopping, with Keras' arguments and defaults, and a wall-clock budget. */
final class StopOptions {

    /** The modes the command line offers. */
    enum ModeName { auto, min, max }

    @Option(names = "--no-early-stopping", description = "Train to --epochs without early stopping.")
    boolean disabled;

    @Option(names = "--patience", paramLabel = "N",
            description = "Epochs without improvement before stopping (default: 0, as Keras' EarlyStopping()).")
    Integer patience;

    @Option(names = "--monitor", paramLabel = "METRIC", defaultValue = "val_loss",
            description = "The metric early stopping watches (default: ${DEFAULT-VALUE}).")
    String monitor;

    @Option(names = "--min-delta", paramLabel = "D", defaultValue = "0",
            description = "The least change that counts as an improvement; its sign is ignored (default: ${DEFAULT-VALUE}).")
    double minDelta;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "auto",
            description = "auto, min or max: whether the metric should fall or rise (default: ${DEFAULT-VALUE}).")
    ModeName mode;

    @Option(names = "--baseline", paramLabel = "VALUE",
            description = "A value the metric must beat before patience resets (default: none).")
    Double baseline;

    @Option(names = "--restore-best-weights", description = "Restore the best epoch's weights when the run ends.")
    boolean restoreBestWeights;

    @Option(names = "--start-from-epoch", paramLabel = "N", defaultValue = "0",
            description = "Warm-up epochs that early stopping ignores (default: ${DEFAULT-VALUE}).")
    int startFromEpoch;

    @Option(names = "--time-budget", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after the first epoch that ends past this much wall-clock time, such as 10m (default: none).")
    Duration timeBudget;

    /** The metrics every run reports: the training figures, then the validation figures. */
    static final List<String> METRICS = List.of("loss", "accuracy", "val_loss", "val_accuracy");

    /** @return the early stopping rule, or null with --no-early-stopping */
    EarlyStopping earlyStopping(CommandSpec spec) {
        if (disabled) {
            List<String> conflicting = new ArrayList<>();
            for (String option : new String[] {"--patience", "--monitor", "--min-delta", "--mode", "--baseline",
                "--restore-best-weights", "--start-from-epoch"}) {
                CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
                if (parsed != null && parsed.hasMatchedOption(option)) {
                    conflicting.add(option);
                }
            }
            if (!conflicting.isEmpty()) {
                throw Usage.error(spec, String.join(" and ", conflicting) + (conflicting.size() == 1 ? " configures" : " configure")
                        + " early stopping, but --no-early-stopping turns it off: drop one or the other");
            }
            return null;
        }
        if (!METRICS.contains(monitor)) {
            String hint = METRICS.stream().filter(m -> m.startsWith(monitor) || monitor.startsWith(m)).reduce((a, b) -> b)
                    .map(m -> " (did you mean " + m + "?)").orElse("");
            throw Usage.error(spec, "--monitor must be one of the metrics a run reports, " + String.join(", ", METRICS)
                    + ", but was " + monitor + hint);
        }
        int p = patience == null ? 0 : patience;
        Usage.atLeast(spec, "--patience", p, 0);
        Usage.atLeast(spec, "--start-from-epoch", startFromEpoch, 0);
        if (!Double.isFinite(minDelta)) {
            throw Usage.error(spec, "--min-delta must be finite, but was " + minDelta);
        }
        if (baseline != null && !Double.isFinite(baseline)) {
            throw Usage.error(spec, "--baseline must be finite, but was " + baseline);
        }
        EarlyStopping.Builder b = EarlyStopping.builder().patience(p).minDelta(minDelta)
                .restoreBestWeights(restoreBestWeights).startFromEpoch(startFromEpoch)
                .mode(Mode.valueOf(mode.name().toUpperCase(Locale.ROOT)));
        try {
            b.monitor(monitor);
            if (baseline != null) {
                b.baseline(baseline);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--monitor " + monitor + ": " + e.getMessage().replace("set mode(Mode.MIN) or mode(Mode.MAX)",
                    "pass --mode min or --mode max"));
        }
    }

    /** @return every stop rule the options ask for, composed; null for none */
    StopRule rule(CommandSpec spec, EarlyStopping earlyStopping) {
        List<StopRule> rules = new ArrayList<>();
        if (earlyStopping != null) {
            rules.add(earlyStopping);
        }
        if (timeBudget != null) {
            if (timeBudget.isZero() || timeBudget.isNegative()) {
                throw Usage.error(spec, "--time-budget must be positive, but was " + Format.human(timeBudget));
            }
            if (timeBudget.compareTo(StopWhen.MAX_DURATION) > 0) {
                throw Usage.error(spec, "--time-budget must be at most " + StopWhen.MAX_DURATION + " (about 292 years), but was "
                        + timeBudget);
            }
            rules.add(StopWhen.timeBudget(timeBudget));
        }
        if (rules.isEmpty()) {
            return null;
        }
        return rules.size() == 1 ? rules.get(0) : StopRule.anyOf(rules.toArray(StopRule[]::new));
    }

    static Map<String, Object> describe(EarlyStopping es) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (es == null) {
            m.put("enabled", false);
            return m;
        }
        m.put("enabled", true);
        m.put("monitor", es.monitor());
        m.put("mode", es.mode().name().toLowerCase(Locale.ROOT));
        m.put("patience", es.patience());
        m.put("min_delta", es.minDelta());
        m.put("baseline", es.baseline().isPresent() ? es.baseline().getAsDouble() : null);
        m.put("restore_best_weights", es.restoreBestWeights());
        m.put("start_from_epoch", es.startFromEpoch());
        return m;
    }
}
