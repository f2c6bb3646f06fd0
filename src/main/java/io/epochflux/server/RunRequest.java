package io.epochflux.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.stop.Mode;
import io.epochflux.stop.StopRule;
import io.epochflux.stop.StopWhen;
import io.epochflux.train.Trainer;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one run started over HTTP: the {@code train} command's run settings, named as its
 * long options in camelCase, with the same defaults ({@code epochs} 3000, {@code batchSize} 10,
 * {@code trainSize} 700, {@code valSize} 300, {@code hidden} [2], {@code activation} relu,
 * {@code optimizer} sgd, {@code seed} 10, early stopping on {@code val_loss} with {@code patience}
 * 0, ...), plus {@code data}, the name of a data set the server offers (default {@code bundled}).
 *
 * <p>The nullable components ({@code lr}, {@code momentum}, {@code baseline}, {@code timeBudget},
 * {@code name}) are null when not given: the {@code train} command's "none" or its per-optimizer
 * default. Every other component holds the value given or the default.
 *
 * @param epochs the most epochs, {@code >= 1}
 * @param batchSize examples per step, {@code >= 1}
 * @param trainSize training examples, {@code >= 1}
 * @param valSize validation examples, {@code >= 1}
 * @param hidden hidden layer widths, each {@code >= 1}
 * @param activation the hidden layers' activation name
 * @param optimizer {@code sgd} or {@code adam}
 * @param lr the learning rate, {@code > 0}, or null for the optimizer's default
 * @param momentum SGD momentum in [0, 1), or null for 0
 * @param nesterov Nesterov momentum (SGD with momentum only)
 * @param seed seeds the data draw, the weights and the shuffling
 * @param noEarlyStopping true to train to {@code epochs} without early stopping
 * @param patience early stopping's patience, {@code >= 0}
 * @param monitor the metric early stopping watches: loss, accuracy, val_loss or val_accuracy
 * @param minDelta the least change that counts as an improvement, finite
 * @param mode auto, min or max
 * @param baseline a value the metric must beat, or null
 * @param restoreBestWeights restore the best epoch's weights at the end
 * @param startFromEpoch warm-up epochs early stopping ignores, {@code >= 0}
 * @param timeBudget stop after the first epoch past this much time, or null
 * @param data the data set's name
 * @param name the run's name in metrics, or null for {@code run-ID}
 */
public record RunRequest(int epochs, int batchSize, int trainSize, int valSize, List<Integer> hidden, String activation,
                         String optimizer, Double lr, Double momentum, boolean nesterov, long seed,
                         boolean noEarlyStopping, int patience, String monitor, double minDelta, String mode,
                         Double baseline, boolean restoreBestWeights, int startFromEpoch, Duration timeBudget,
                         String data, String name) {

    /** The metrics every run reports, which early stopping may watch. */
    public static final List<String> METRICS = List.of("loss", "accuracy", "val_loss", "val_accuracy");

    /** The fields a request may carry, in the order of the {@code train} command's help. */
    public static final List<String> FIELDS = List.of("epochs", "batchSize", "trainSize", "valSize", "hidden",
            "activation", "optimizer", "lr", "momentum", "nesterov", "seed", "noEarlyStopping", "patience", "monitor",
            "minDelta", "mode", "baseline", "restoreBestWeights", "startFromEpoch", "timeBudget", "data", "name");

    /** The {@code train} options that write or read files on the server, refused over HTTP. */
    public static final Set<String> FILE_FIELDS = Set.of("out", "resume", "dataDir");

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:#-]{1,64}");

    /**
     * A field that breaks a rule: the message reads {@code "<field> must be <rule>, but was <value>"}.
     */
    public static final class InvalidField extends IllegalArgumentException {
        private final String field;
        private final String value;
        private final String rule;

        /**
         * Creates one.
         *
         * @param field the field's name
         * @param value the value given, as written
         * @param rule what the value must be
         */
        public InvalidField(String field, String value, String rule) {
            super(field + " must be " + rule + ", but was " + value);
            this.field = Objects.requireNonNull(field, "field");
            this.value = Objects.requireNonNull(value, "value");
            this.rule = Objects.requireNonNull(rule, "rule");
        }

        /** @return the field's name */
        public String field() {
            return field;
        }

        /** @return the value given, as written */
        public String value() {
            return value;
        }

        /** @return what the value must be */
        public String rule() {
            return rule;
        }
    }

    /** Checks every rule that does not depend on a server's limits. */
    public RunRequest {
        atLeast("epochs", epochs, 1);
        atLeast("batchSize", batchSize, 1);
        atLeast("trainSize", trainSize, 1);
        atLeast("valSize", valSize, 1);
        Objects.requireNonNull(hidden, "hidden");
        hidden = List.copyOf(hidden);
        for (int units : hidden) {
            atLeast("hidden", units, 1);
        }
        try {
            Activation.fromName(Objects.requireNonNull(activation, "activation"));
        } catch (IllegalArgumentException e) {
            throw new InvalidField("activation", activation, "one of relu, sigmoid, tanh, linear, softmax");
        }
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new InvalidField("optimizer", optimizer, "sgd or adam");
        }
        if (lr != null && !(lr > 0 && Double.isFinite(lr))) {
            throw new InvalidField("lr", lr.toString(), "> 0");
        }
        if (optimizer.equals("adam") && (momentum != null || nesterov)) {
            throw new InvalidField(momentum != null ? "momentum" : "nesterov",
                    momentum != null ? momentum.toString() : "true", "left out with optimizer adam (it applies to sgd)");
        }
        if (momentum != null && !(momentum >= 0 && momentum < 1)) {
            throw new InvalidField("momentum", momentum.toString(), ">= 0 and < 1");
        }
        if (nesterov && (momentum == null || momentum == 0)) {
            throw new InvalidField("nesterov", "true", "false unless momentum is above 0");
        }
        atLeast("patience", patience, 0);
        if (!METRICS.contains(Objects.requireNonNull(monitor, "monitor"))) {
            throw new InvalidField("monitor", monitor, "one of " + String.join(", ", METRICS));
        }
        if (!Double.isFinite(minDelta)) {
            throw new InvalidField("minDelta", Double.toString(minDelta), "finite");
        }
        if (!Set.of("auto", "min", "max").contains(Objects.requireNonNull(mode, "mode"))) {
            throw new InvalidField("mode", mode, "auto, min or max");
        }
        if (baseline != null && !Double.isFinite(baseline)) {
            throw new InvalidField("baseline", baseline.toString(), "finite");
        }
        atLeast("startFromEpoch", startFromEpoch, 0);
        if (timeBudget != null && (timeBudget.isZero() || timeBudget.isNegative())) {
            throw new InvalidField("timeBudget", timeBudget.toString(), "positive");
        }
        if (timeBudget != null && timeBudget.compareTo(StopWhen.MAX_DURATION) > 0) {
            throw new InvalidField("timeBudget", timeBudget.toString(), "at most " + StopWhen.MAX_DURATION + " (about 292 years)");
        }
        Objects.requireNonNull(data, "data");
        if (name != null && !NAME.matcher(name).matches()) {
            throw new InvalidField("name", name, "1 to 64 of A-Z a-z 0-9 _ . : # -");
        }
    }

    private static void atLeast(String field, long value, long least) {
        if (value < least) {
            throw new InvalidField(field, Long.toString(value), ">= " + least);
        }
    }

    /**
     * Returns the request with every default: the {@code train} command's run with no options.
     *
     * @return the defaults
     */
    public static RunRequest defaults() {
        return new RunRequest(3000, 10, 700, 300, List.of(2), "relu", "sgd", null, null, false, 10L, false, 0,
                "val_loss", 0.0, "auto", null, false, 0, null, "bundled", null);
    }

    /**
     * Reads a request from a JSON object: fields left out take the defaults; an unknown field, a
     * file-system field ({@code out}, {@code resume}, {@code dataDir}) or a value of the wrong type
     * is refused.
     *
     * @param json a JSON object
     * @return the request
     * @throws InvalidField naming the first field that breaks a rule
     */
    public static RunRequest fromJson(JsonNode json) {
        Objects.requireNonNull(json, "json");
        if (!json.isObject()) {
            throw new InvalidField("body", json.getNodeType().name().toLowerCase(Locale.ROOT), "a JSON object");
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (FILE_FIELDS.contains(field)) {
                throw new InvalidField(field, json.get(field).toString(),
                        "left out: a run started over HTTP reads and writes no files on the server"
                                + " (choose data by name with data; download history.csv and the model)");
            }
            if (!FIELDS.contains(field)) {
                throw new InvalidField(field, json.get(field).toString(), "left out: it is not a run setting; the fields are "
                        + String.join(", ", FIELDS));
            }
        }
        RunRequest d = defaults();
        return new RunRequest(
                integer(json, "epochs", d.epochs), integer(json, "batchSize", d.batchSize),
                integer(json, "trainSize", d.trainSize), integer(json, "valSize", d.valSize),
                widths(json, d.hidden), text(json, "activation", d.activation), text(json, "optimizer", d.optimizer),
                number(json, "lr", d.lr), number(json, "momentum", d.momentum), bool(json, "nesterov", d.nesterov),
                longInteger(json, "seed", d.seed), bool(json, "noEarlyStopping", d.noEarlyStopping),
                integer(json, "patience", d.patience), text(json, "monitor", d.monitor),
                number(json, "minDelta", d.minDelta), text(json, "mode", d.mode), number(json, "baseline", d.baseline),
                bool(json, "restoreBestWeights", d.restoreBestWeights), integer(json, "startFromEpoch", d.startFromEpoch),
                duration(json), text(json, "data", d.data), text(json, "name", d.name));
    }

    private static JsonNode given(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static int integer(JsonNode json, String field, int dflt) {
        JsonNode v = given(json, field);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InvalidField(field, v.toString(), "an integer");
        }
        return v.intValue();
    }

    private static long longInteger(JsonNode json, String field, long dflt) {
        JsonNode v = given(json, field);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new InvalidField(field, v.toString(), "an integer");
        }
        return v.longValue();
    }

    private static Double number(JsonNode json, String field, Double dflt) {
        JsonNode v = given(json, field);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new InvalidField(field, v.toString(), "a number");
        }
        return v.doubleValue();
    }

    private static boolean bool(JsonNode json, String field, boolean dflt) {
        JsonNode v = given(json, field);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new InvalidField(field, v.toString(), "true or false");
        }
        return v.booleanValue();
    }

    private static String text(JsonNode json, String field, String dflt) {
        JsonNode v = given(json, field);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new InvalidField(field, v.toString(), "a string");
        }
        return v.textValue();
    }

    private static List<Integer> widths(JsonNode json, List<Integer> dflt) {
        JsonNode v = given(json, "hidden");
        if (v == null) {
            return dflt;
        }
        if (!v.isArray()) {
            throw new InvalidField("hidden", v.toString(), "an array of layer widths, such as [2] or [64, 32]");
        }
        List<Integer> widths = new ArrayList<>();
        for (JsonNode w : v) {
            if (!w.isIntegralNumber() || !w.canConvertToInt()) {
                throw new InvalidField("hidden", v.toString(), "an array of integer layer widths");
            }
            widths.add(w.intValue());
        }
        return widths;
    }

    private static Duration duration(JsonNode json) {
        String text = text(json, "timeBudget", null);
        if (text == null) {
            return null;
        }
        Matcher m = DURATION.matcher(text.trim());
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms": return Duration.ofMillis(n);
                    case "s": return Duration.ofSeconds(n);
                    case "m": return Duration.ofMinutes(n);
                    default: return Duration.ofHours(n);
                }
            }
            return Duration.parse(text.trim());
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new InvalidField("timeBudget", '"' + text + '"', "a duration such as 500ms, 30s, 10m, 1h or PT10M");
        }
    }

    /** @return the optimizer, as the train command makes it */
    Optimizer buildOptimizer() {
        if (optimizer.equals("adam")) {
            return lr == null ? Optimizer.adam() : Optimizer.adam(lr);
        }
        return Optimizer.sgd(lr == null ? Optimizer.Sgd.DEFAULT_LEARNING_RATE : lr, momentum == null ? 0.0 : momentum,
                nesterov);
    }

    /** @return the network, as the train command makes it, for these inputs and classes */
    Sequential buildModel(int inputs, int classes) {
        Activation a = Activation.fromName(activation);
        Sequential.Builder b = Sequential.builder(inputs).seed(seed).loss(Loss.CATEGORICAL_CROSSENTROPY);
        for (int units : hidden) {
            b.dense(units, a);
        }
        return b.dense(classes, Activation.SOFTMAX).build();
    }

    /** @return the trainer, as the train command makes it, on the given pool */
    Trainer buildTrainer(Scheduler pool) {
        return Trainer.builder().epochs(epochs).batchSize(batchSize).optimizer(buildOptimizer()).seed(seed)
                .scheduler(pool).build();
    }

    /** @return early stopping as the train command makes it, or null with noEarlyStopping */
    EarlyStopping buildEarlyStopping() {
        if (noEarlyStopping) {
            return null;
        }
        EarlyStopping.Builder b = EarlyStopping.builder().monitor(monitor).patience(patience).minDelta(minDelta)
                .restoreBestWeights(restoreBestWeights).startFromEpoch(startFromEpoch)
                .mode(Mode.valueOf(mode.toUpperCase(Locale.ROOT)));
        if (baseline != null) {
            b.baseline(baseline);
        }
        return b.build();
    }

    /** @return every stop rule asked for, composed, or null for none */
    StopRule buildRule() {
        EarlyStopping es = buildEarlyStopping();
        List<StopRule> rules = new ArrayList<>();
        if (es != null) {
            rules.add(es);
        }
        if (timeBudget != null) {
            rules.add(StopWhen.timeBudget(timeBudget));
        }
        if (rules.isEmpty()) {
            return null;
        }
        return rules.size() == 1 ? rules.get(0) : StopRule.anyOf(rules.toArray(StopRule[]::new));
    }

    /** @return whether early stopping watches a metric that should rise */
    boolean monitorRises() {
        return mode.equals("max") || (mode.equals("auto") && monitor.endsWith("accuracy"));
    }

    /** @return the settings as JSON-ready values, for the run's description */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batchSize", batchSize);
        m.put("trainSize", trainSize);
        m.put("valSize", valSize);
        m.put("hidden", hidden);
        m.put("activation", activation);
        m.put("optimizer", optimizer);
        m.put("lr", lr == null ? buildOptimizer().learningRate() : lr);
        m.put("momentum", momentum);
        m.put("nesterov", nesterov);
        m.put("seed", seed);
        m.put("noEarlyStopping", noEarlyStopping);
        m.put("patience", patience);
        m.put("monitor", monitor);
        m.put("minDelta", minDelta);
        m.put("mode", mode);
        m.put("baseline", baseline);
        m.put("restoreBestWeights", restoreBestWeights);
        m.put("startFromEpoch", startFromEpoch);
        m.put("timeBudget", timeBudget == null ? null : timeBudget.toString());
        m.put("data", data);
        m.put("name", name);
        return m;
    }
}
