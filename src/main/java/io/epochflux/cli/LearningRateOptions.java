package io.epochflux.cli;

import io.epochflux.schedule.LearningRateSchedule;
import io.epochflux.schedule.ReduceLROnPlateau;
import io.epochflux.stop.Mode;
import io.epochflux.train.EpochMetrics;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Learning-rate operators: Keras' ReduceLROnPlateau with its arguments and defaults, or a schedule. */
final class LearningRateOptions {

    /** The modes the command line offers. */
    enum ModeName { auto, min, max }

    /** The forms --lr-schedule takes, as its error message names them. */
    static final String SCHEDULE_FORMS = "step:FACTOR/EVERY, exponential:GAMMA or cosine:EPOCHS[/MIN_LR]";

    private static final String NUMBER = "([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)";
    private static final Pattern STEP = Pattern.compile("step:" + NUMBER + "/([0-9]+)");
    private static final Pattern EXPONENTIAL = Pattern.compile("exponential:" + NUMBER);
    private static final Pattern COSINE = Pattern.compile("cosine:([0-9]+)(?:/" + NUMBER + ")?");

    @Option(names = "--reduce-lr-on-plateau",
            description = "Lower the learning rate when --lr-monitor stops improving (Keras' ReduceLROnPlateau).")
    boolean reduceOnPlateau;

    @Option(names = "--lr-monitor", paramLabel = "METRIC", defaultValue = "val_loss",
            description = "The metric --reduce-lr-on-plateau watches (default: ${DEFAULT-VALUE}).")
    String monitor;

    @Option(names = "--lr-factor", paramLabel = "F", defaultValue = "0.1",
            description = "What a plateau multiplies the learning rate by, >= 0 and < 1 (default: ${DEFAULT-VALUE}).")
    double factor;

    @Option(names = "--lr-patience", paramLabel = "N", defaultValue = "10",
            description = "Epochs without improvement before the rate is lowered (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--lr-cooldown", paramLabel = "N", defaultValue = "0",
            description = "Epochs after a reduction before the wait counts again (default: ${DEFAULT-VALUE}).")
    int cooldown;

    @Option(names = "--lr-min", paramLabel = "LR", defaultValue = "0",
            description = "The lowest rate a reduction goes to (default: ${DEFAULT-VALUE}).")
    double minLr;

    @Option(names = "--lr-min-delta", paramLabel = "D", defaultValue = "1e-4",
            description = "The least change that counts as an improvement; its sign is kept, as Keras does (default: ${DEFAULT-VALUE}).")
    double minDelta;

    @Option(names = "--lr-mode", paramLabel = "MODE", defaultValue = "auto",
            description = "auto, min or max: whether --lr-monitor should fall or rise (default: ${DEFAULT-VALUE}).")
    ModeName mode;

    @Option(names = "--lr-schedule", paramLabel = "SPEC",
            description = {"Set each epoch's learning rate from the trainer's --lr: step:0.5/10 halves it every 10 epochs,",
                "exponential:0.96 multiplies it by 0.96 each epoch, cosine:100[/0.0001] anneals it to 0 (or 0.0001)",
                "over 100 epochs. Epochs count from 0, as in Keras' LearningRateScheduler."})
    String schedule;

    private static final String[] PLATEAU_OPTIONS = {"--lr-monitor", "--lr-factor", "--lr-patience", "--lr-cooldown",
        "--lr-min", "--lr-min-delta", "--lr-mode"};

    /** @return the learning-rate operator the options ask for, or null for none */
    Function<Flux<EpochMetrics>, Flux<EpochMetrics>> operator(CommandSpec spec) {
        if (reduceOnPlateau && schedule != null) {
            throw Usage.error(spec, "--reduce-lr-on-plateau and --lr-schedule both set the learning rate: choose one");
        }
        if (schedule != null) {
            return schedule(spec, schedule);
        }
        if (!reduceOnPlateau) {
            List<String> given = new ArrayList<>();
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            for (String option : PLATEAU_OPTIONS) {
                if (parsed != null && parsed.hasMatchedOption(option)) {
                    given.add(option);
                }
            }
            if (!given.isEmpty()) {
                throw Usage.error(spec, String.join(" and ", given) + (given.size() == 1 ? " configures" : " configure")
                        + " --reduce-lr-on-plateau, which is off: add --reduce-lr-on-plateau or drop "
                        + (given.size() == 1 ? "it" : "them"));
            }
            return null;
        }
        return plateau(spec);
    }

    private ReduceLROnPlateau plateau(CommandSpec spec) {
        if (!StopOptions.METRICS.contains(monitor)) {
            throw Usage.error(spec, "--lr-monitor must be one of the metrics a run reports, "
                    + String.join(", ", StopOptions.METRICS) + ", but was " + monitor);
        }
        if (!(factor >= 0 && factor < 1)) {
            throw Usage.error(spec, "--lr-factor must be >= 0 and < 1, but was " + factor);
        }
        Usage.atLeast(spec, "--lr-patience", patience, 0);
        Usage.atLeast(spec, "--lr-cooldown", cooldown, 0);
        if (!(minLr >= 0 && Double.isFinite(minLr))) {
            throw Usage.error(spec, "--lr-min must be >= 0 and finite, but was " + minLr);
        }
        if (!Double.isFinite(minDelta)) {
            throw Usage.error(spec, "--lr-min-delta must be finite, but was " + minDelta);
        }
        return ReduceLROnPlateau.builder().monitor(monitor).factor(factor).patience(patience).cooldown(cooldown)
                .minLr(minLr).minDelta(minDelta).mode(Mode.valueOf(mode.name().toUpperCase(Locale.ROOT))).build();
    }

    /** Parses --lr-schedule; every error is one line naming the option, the value and the rule. */
    static LearningRateSchedule schedule(CommandSpec spec, String text) {
        String value = text.trim();
        try {
            Matcher m = STEP.matcher(value);
            if (m.matches()) {
                return LearningRateSchedule.step(Double.parseDouble(m.group(1)), Integer.parseInt(m.group(2)));
            }
            m = EXPONENTIAL.matcher(value);
            if (m.matches()) {
                return LearningRateSchedule.exponential(Double.parseDouble(m.group(1)));
            }
            m = COSINE.matcher(value);
            if (m.matches()) {
                return LearningRateSchedule.cosine(Integer.parseInt(m.group(1)),
                        m.group(2) == null ? 0.0 : Double.parseDouble(m.group(2)));
            }
        } catch (NumberFormatException e) {
            throw Usage.error(spec, "--lr-schedule must be " + SCHEDULE_FORMS + " with numbers in range, but was '"
                    + text + "'");
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--lr-schedule " + text + ": " + e.getMessage());
        }
        throw Usage.error(spec, "--lr-schedule must be " + SCHEDULE_FORMS + ", but was '" + text + "'");
    }

    /**
     * Describes the operator for report.json.
     *
     * @param operator what {@link #operator} returned
     * @return the section
     */
    static Map<String, Object> describe(Function<Flux<EpochMetrics>, Flux<EpochMetrics>> operator) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (operator instanceof ReduceLROnPlateau p) {
            m.put("operator", "reduce_lr_on_plateau");
            m.put("monitor", p.monitor());
            m.put("mode", p.mode().name().toLowerCase(Locale.ROOT));
            m.put("factor", p.factor());
            m.put("patience", p.patience());
            m.put("min_delta", p.minDelta());
            m.put("cooldown", p.cooldown());
            m.put("min_lr", p.minLr());
        } else if (operator instanceof LearningRateSchedule s) {
            m.put("operator", "schedule");
            m.put("schedule", s.describe());
        } else {
            m.put("operator", "none");
        }
        return m;
    }
}
