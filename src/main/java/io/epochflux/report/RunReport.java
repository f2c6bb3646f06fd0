package io.epochflux.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochflux.internal.AtomicFiles;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a run leaves behind in {@code report.json}: how it ended (the stop report), how many
 * epochs ran, the last epoch's metrics, the test-set figures, the configuration, the datasets with
 * their SHA-256, the provenance, and the training time.
 */
public final class RunReport {

    /** How a run ended. */
    public enum Outcome {
        /** A stop rule ended it before its epoch limit. */
        STOPPED_EARLY,
        /** It ran every epoch. */
        COMPLETED,
        /** The user interrupted it (Ctrl-C). */
        INTERRUPTED,
        /** It failed. */
        FAILED,
        /** It is still training: what {@code report.json} says until the run's files are complete. */
        RUNNING
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String run;
    private final Outcome outcome;
    private final StopReport stop;
    private final int epochsRun;
    private final Map<String, Double> lastEpoch;
    private final Map<String, Double> test;
    private final Map<String, Object> configuration;
    private final Map<String, Object> datasets;
    private final Map<String, Object> provenance;
    private final double trainingSeconds;
    private final String error;
    private final int weightsEpoch;
    private final String weightsSource;

    private RunReport(Builder b) {
        this.run = b.run;
        this.outcome = b.outcome;
        this.stop = b.stop;
        this.epochsRun = b.epochsRun;
        this.lastEpoch = Collections.unmodifiableMap(new LinkedHashMap<>(b.lastEpoch));
        this.test = Collections.unmodifiableMap(new LinkedHashMap<>(b.test));
        this.configuration = Collections.unmodifiableMap(new LinkedHashMap<>(b.configuration));
        this.datasets = Collections.unmodifiableMap(new LinkedHashMap<>(b.datasets));
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(b.provenance));
        this.trainingSeconds = b.trainingSeconds;
        this.error = b.error;
        this.weightsEpoch = b.weightsEpoch;
        this.weightsSource = b.weightsSource;
    }

    /** @return the epoch whose weights the saved model holds, -1 when not recorded (0: the initial weights) */
    public int weightsEpoch() {
        return weightsEpoch;
    }

    /** @return why the model holds those weights, such as {@code last epoch} or {@code restored}; empty when not recorded */
    public Optional<String> weightsSource() {
        return Optional.ofNullable(weightsSource);
    }

    /**
     * Starts a report for a run, filling epochs, last metrics, stop, outcome and training time from
     * its history.
     *
     * @param run the run's name
     * @param history what the run produced
     * @return a builder
     */
    public static Builder builder(String run, History history) {
        Objects.requireNonNull(history, "history");
        Builder b = new Builder(run);
        b.epochsRun = history.size();
        history.last().ifPresent(m -> b.lastEpoch.putAll(m.values()));
        b.stop = history.stop().orElse(null);
        b.outcome = b.stop == null ? Outcome.INTERRUPTED
                : b.stop.reason().equals(StopReason.MAX_EPOCHS) ? Outcome.COMPLETED : Outcome.STOPPED_EARLY;
        b.trainingSeconds = history.trainingTime().toNanos() / 1e9;
        return b;
    }

    /** @return the run's name */
    public String run() {
        return run;
    }

    /** @return how the run ended */
    public Outcome outcome() {
        return outcome;
    }

    /** @return the stop report, absent for an interrupted or failed run */
    public Optional<StopReport> stop() {
        return Optional.ofNullable(stop);
    }

    /** @return the number of epochs that ran */
    public int epochsRun() {
        return epochsRun;
    }

    /** @return the last epoch's metrics */
    public Map<String, Double> lastEpoch() {
        return lastEpoch;
    }

    /** @return the test loss, when the run was evaluated */
    public OptionalDouble testLoss() {
        Double v = test.get("loss");
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** @return the test accuracy, when the run was evaluated */
    public OptionalDouble testAccuracy() {
        Double v = test.get("accuracy");
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** @return the test mean absolute error, when the run was a regression and was evaluated */
    public OptionalDouble testMae() {
        Double v = test.get("mae");
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** @return the configuration, as nested maps */
    public Map<String, Object> configuration() {
        return configuration;
    }

    /** @return the datasets: name, size and SHA-256 of each */
    public Map<String, Object> datasets() {
        return datasets;
    }

    /** @return versions and machine */
    public Map<String, Object> provenance() {
        return provenance;
    }

    /** @return the sum of the epochs' durations, in seconds */
    public double trainingSeconds() {
        return trainingSeconds;
    }

    /** @return the error of a failed run */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /**
     * Writes the report as JSON, atomically.
     *
     * @param file the target
     * @throws IOException when writing fails
     */
    public void write(Path file) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(toJson());
        AtomicFiles.write(file, bytes);
    }

    /** @return the report as a JSON tree */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("run", run);
        root.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
        if (stop != null) {
            ObjectNode s = root.putObject("stop");
            s.put("reason", stop.reason().name());
            s.put("epoch", stop.epoch());
            s.put("rule", stop.rule());
            stop.monitor().ifPresent(m -> s.put("monitor", m));
            stop.bestEpoch().ifPresent(e -> s.put("best_epoch", e));
            stop.bestValue().ifPresent(v -> putNumber(s, "best_value", v));
            stop.restoredFromEpoch().ifPresent(e -> s.put("restored_from_epoch", e));
            s.put("message", stop.message());
        } else {
            root.putNull("stop");
        }
        if (error != null) {
            root.put("error", error);
        }
        root.put("epochs_run", epochsRun);
        if (weightsSource != null) {
            ObjectNode w = root.putObject("weights");
            w.put("epoch", weightsEpoch);
            w.put("source", weightsSource);
        }
        ObjectNode last = root.putObject("last_epoch");
        lastEpoch.forEach((k, v) -> putNumber(last, k, v));
        ObjectNode t = root.putObject("test");
        test.forEach((k, v) -> {
            if (k.equals("examples")) {
                t.put(k, v.longValue());
            } else {
                putNumber(t, k, v);
            }
        });
        root.put("training_seconds", trainingSeconds);
        root.set("configuration", JSON.valueToTree(configuration));
        root.set("datasets", JSON.valueToTree(datasets));
        root.set("provenance", JSON.valueToTree(provenance));
        return root;
    }

    private static void putNumber(ObjectNode node, String key, double v) {
        if (Double.isFinite(v)) {
            node.put(key, v);
        } else {
            node.put(key, Double.toString(v)); // JSON has no NaN: keep it readable as a string
        }
    }

    private static double number(JsonNode n) {
        return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
    }

    /**
     * Reads a report written by {@link #write}.
     *
     * @param file the report
     * @return the report
     * @throws IOException when the file cannot be read or parsed
     */
    public static RunReport read(Path file) throws IOException {
        JsonNode root = JSON.readTree(Files.readAllBytes(file));
        Builder b = new Builder(root.path("run").asText());
        b.outcome = Outcome.valueOf(root.path("outcome").asText().toUpperCase(java.util.Locale.ROOT));
        JsonNode s = root.path("stop");
        if (s.isObject()) {
            StopReport.Builder sb = StopReport.builder(StopReason.of(s.path("reason").asText()), s.path("epoch").asInt())
                    .rule(s.path("rule").asText())
                    .message(s.path("message").asText());
            if (s.has("monitor")) {
                sb.monitor(s.path("monitor").asText());
            }
            if (s.has("best_epoch")) {
                sb.best(s.path("best_epoch").asInt(), number(s.path("best_value")));
            }
            if (s.has("restored_from_epoch")) {
                sb.restoredFromEpoch(s.path("restored_from_epoch").asInt());
            }
            b.stop = sb.build();
        }
        if (root.has("error")) {
            b.error = root.path("error").asText();
        }
        b.epochsRun = root.path("epochs_run").asInt();
        if (root.path("weights").isObject()) {
            b.weightsEpoch = root.path("weights").path("epoch").asInt();
            b.weightsSource = root.path("weights").path("source").asText();
        }
        root.path("last_epoch").fields().forEachRemaining(e -> b.lastEpoch.put(e.getKey(), number(e.getValue())));
        root.path("test").fields().forEachRemaining(e -> b.test.put(e.getKey(), number(e.getValue())));
        b.trainingSeconds = root.path("training_seconds").asDouble();
        b.configuration.putAll(JSON.convertValue(root.path("configuration"), Map.class));
        b.datasets.putAll(JSON.convertValue(root.path("datasets"), Map.class));
        b.provenance.putAll(JSON.convertValue(root.path("provenance"), Map.class));
        return b.build();
    }

    /** Builds a {@link RunReport}. */
    public static final class Builder {
        private final String run;
        private Outcome outcome = Outcome.COMPLETED;
        private int weightsEpoch = -1;
        private String weightsSource;
        private StopReport stop;
        private int epochsRun;
        private final Map<String, Double> lastEpoch = new LinkedHashMap<>();
        private final Map<String, Double> test = new LinkedHashMap<>();
        private final Map<String, Object> configuration = new LinkedHashMap<>();
        private final Map<String, Object> datasets = new LinkedHashMap<>();
        private final Map<String, Object> provenance = new LinkedHashMap<>();
        private double trainingSeconds;
        private String error;

        private Builder(String run) {
            this.run = Objects.requireNonNull(run, "run");
        }

        /**
         * Records which epoch's weights the saved model holds, and why.
         *
         * @param epoch the epoch, {@code >= 0} (0: the weights the run started from)
         * @param source why, such as {@code last epoch} or {@code restored by EarlyStopping(...)}
         * @return this builder
         */
        public Builder weights(int epoch, String source) {
            if (epoch < 0) {
                throw new IllegalArgumentException("epoch must be >= 0, but was " + epoch);
            }
            this.weightsEpoch = epoch;
            this.weightsSource = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Overrides how the run ended.
         *
         * @param outcome the outcome
         * @return this builder
         */
        public Builder outcome(Outcome outcome) {
            this.outcome = Objects.requireNonNull(outcome, "outcome");
            return this;
        }

        /**
         * Records the test-set evaluation.
         *
         * @param loss the mean test loss
         * @param accuracy the test accuracy
         * @param examples the test set's size
         * @return this builder
         */
        public Builder test(double loss, double accuracy, int examples) {
            test.put("loss", loss);
            test.put("accuracy", accuracy);
            test.put("examples", (double) examples);
            return this;
        }

        /**
         * Records a regression's test-set evaluation: the loss (the mean squared error) and the
         * mean absolute error in place of accuracy.
         *
         * @param loss the mean test loss
         * @param mae the mean absolute error
         * @param examples the test set's size
         * @return this builder
         */
        public Builder testRegression(double loss, double mae, int examples) {
            test.put("loss", loss);
            test.put("mae", mae);
            test.put("examples", (double) examples);
            return this;
        }

        /**
         * Adds a configuration section.
         *
         * @param section its name, such as {@code model}
         * @param settings its settings
         * @return this builder
         */
        public Builder configuration(String section, Object settings) {
            configuration.put(Objects.requireNonNull(section, "section"), settings);
            return this;
        }

        /**
         * Records a dataset.
         *
         * @param role {@code train}, {@code validation} or {@code test}
         * @param name how it was made
         * @param size its examples
         * @param sha256 its digest
         * @return this builder
         */
        public Builder dataset(String role, String name, int size, String sha256) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            d.put("size", size);
            d.put("sha256", sha256);
            datasets.put(role, d);
            return this;
        }

        /**
         * Sets the provenance.
         *
         * @param provenance versions and machine
         * @return this builder
         */
        public Builder provenance(Map<String, Object> provenance) {
            this.provenance.putAll(provenance);
            return this;
        }

        /**
         * Records the error of a failed run.
         *
         * @param error what went wrong
         * @return this builder
         */
        public Builder error(String error) {
            this.error = Objects.requireNonNull(error, "error");
            this.outcome = Outcome.FAILED;
            return this;
        }

        /** @return the report */
        public RunReport build() {
            return new RunReport(this);
        }
    }
}
