package io.epochflux.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Per-feature scaling to mean 0 and standard deviation 1, fitted on a training set and applied
 * unchanged to every set the model sees: {@code x' = (x - mean) / std}.
 *
 * <pre>{@code
 * Split split = Split.byFractions(table.dataset(), 0.6, 0.2, 0.2, seed);
 * Standardization scaling = Standardization.fit(split.train(), table.featureNames());
 * Split scaled = scaling.apply(split);
 * String stored = scaling.toJson();   // kept with the model, to scale what it predicts on
 * }</pre>
 *
 * <p>The standard deviation is the population one (divided by {@code n}, not {@code n - 1}). A
 * column that is constant on the training set has its standard deviation taken as 1, so it maps to
 * 0 there instead of dividing by zero. Targets are left as they are, regression targets included:
 * a model's predictions are in the file's units.
 *
 * <p>The value is immutable: its accessors hand out copies. Its JSON form is one object of plain
 * arrays, {@code {"feature_names": [...], "means": [...], "stds": [...]}}, with every double
 * written so that it reads back exactly.
 *
 * @param featureNames the features' names, in the dataset's column order
 * @param means each feature's mean on the training set
 * @param stds each feature's standard deviation on the training set, 1 where that was 0
 */
public record Standardization(List<String> featureNames, double[] means, double[] stds) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Checks the three have one entry per feature; everything is copied.
     *
     * @param featureNames at least one name
     * @param means finite, one per name
     * @param stds finite and {@code > 0}, one per name
     */
    public Standardization {
        featureNames = List.copyOf(Objects.requireNonNull(featureNames, "featureNames"));
        means = Objects.requireNonNull(means, "means").clone();
        stds = Objects.requireNonNull(stds, "stds").clone();
        if (featureNames.isEmpty()) {
            throw new IllegalArgumentException("featureNames must have at least one name, but was empty");
        }
        if (means.length != featureNames.size() || stds.length != featureNames.size()) {
            throw new IllegalArgumentException("means and stds must have one entry per feature name, "
                    + featureNames.size() + ", but had " + means.length + " and " + stds.length);
        }
        for (int j = 0; j < means.length; j++) {
            if (!Double.isFinite(means[j])) {
                throw new IllegalArgumentException("means[" + j + "] (" + featureNames.get(j) + ") must be finite, "
                        + "but was " + means[j]);
            }
            if (!(Double.isFinite(stds[j]) && stds[j] > 0)) {
                throw new IllegalArgumentException("stds[" + j + "] (" + featureNames.get(j) + ") must be finite "
                        + "and > 0, but was " + stds[j]);
            }
        }
    }

    /**
     * Fits the scaling on a training set.
     *
     * @param train the training examples, at least one; their features must be finite
     * @param featureNames one name per feature column ({@link Table#featureNames()})
     * @return each column's mean and population standard deviation (1 for a constant column)
     */
    public static Standardization fit(Dataset train, List<String> featureNames) {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(featureNames, "featureNames");
        int n = train.size();
        int d = train.featureCount();
        if (n < 1) {
            throw new IllegalArgumentException("train must have at least 1 example to fit on, but " + train.name()
                    + " has none");
        }
        if (featureNames.size() != d) {
            throw new IllegalArgumentException("featureNames must have one name per feature column of "
                    + train.name() + ", " + d + ", but had " + featureNames.size());
        }
        float[] x = train.featureArray();
        double[] means = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                means[j] += x[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            means[j] /= n;
        }
        // two passes: the deviations from the mean, not E[x^2] - E[x]^2, which cancels badly
        double[] stds = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double deviation = x[i * d + j] - means[j];
                stds[j] += deviation * deviation;
            }
        }
        for (int j = 0; j < d; j++) {
            double std = Math.sqrt(stds[j] / n);
            stds[j] = std == 0 ? 1 : std;
        }
        return new Standardization(featureNames, means, stds);
    }

    /**
     * Returns each feature's mean on the training set.
     *
     * @return a copy
     */
    @Override
    public double[] means() {
        return means.clone();
    }

    /**
     * Returns each feature's standard deviation on the training set, 1 where that was 0.
     *
     * @return a copy
     */
    @Override
    public double[] stds() {
        return stds.clone();
    }

    /**
     * Scales a dataset's features; its targets and task are kept.
     *
     * @param data examples with this scaling's feature columns
     * @return a new dataset named {@code NAME standardized}
     */
    public Dataset apply(Dataset data) {
        Objects.requireNonNull(data, "data");
        int d = means.length;
        if (data.featureCount() != d) {
            throw new IllegalArgumentException("data must have the " + d + " features this standardization was "
                    + "fitted on, but " + data.name() + " has " + data.featureCount());
        }
        float[] x = data.featureArray();
        for (int i = 0; i < x.length; i++) {
            int j = i % d;
            x[i] = (float) ((x[i] - means[j]) / stds[j]);
        }
        return data.withFeatures(data.name() + " standardized", x);
    }

    /**
     * Scales the three parts of a split alike.
     *
     * @param split the parts; usually this scaling was fitted on {@code split.train()}
     * @return the split of the three scaled parts
     */
    public Split apply(Split split) {
        Objects.requireNonNull(split, "split");
        return new Split(apply(split.train()), apply(split.validation()), apply(split.test()));
    }

    /**
     * Returns the JSON form: {@code {"feature_names": [...], "means": [...], "stds": [...]}}.
     *
     * @return one line of JSON that {@link #fromJson(String)} reads back to an equal value
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode names = root.putArray("feature_names");
        featureNames.forEach(names::add);
        ArrayNode m = root.putArray("means");
        Arrays.stream(means).forEach(m::add);
        ArrayNode s = root.putArray("stds");
        Arrays.stream(stds).forEach(s::add);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and doubles always serializes", e);
        }
    }

    /**
     * Reads the JSON form that {@link #toJson()} writes; other fields are ignored.
     *
     * @param json an object with the arrays {@code feature_names} (strings), {@code means} and
     *        {@code stds} (numbers)
     * @return the standardization
     * @throws IllegalArgumentException when the text is not JSON, a field is missing or of the
     *         wrong type, or the values break the rules of {@link #Standardization(List, double[], double[])}
     */
    public static Standardization fromJson(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("json must be a JSON object, but could not be parsed: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("json must be a JSON object, but was "
                    + (root == null ? "empty" : root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        List<String> names = new ArrayList<>();
        for (JsonNode name : array(root, "feature_names")) {
            if (!name.isTextual()) {
                throw new IllegalArgumentException("json's feature_names must be strings, but has " + name);
            }
            names.add(name.textValue());
        }
        return new Standardization(names, numbers(root, "means"), numbers(root, "stds"));
    }

    private static JsonNode array(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("json must have an array \"" + field + "\", but "
                    + (node == null ? "has none" : "it is " + node));
        }
        return node;
    }

    private static double[] numbers(JsonNode root, String field) {
        JsonNode node = array(root, field);
        double[] values = new double[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isNumber()) {
                throw new IllegalArgumentException("json's " + field + "[" + i + "] must be a number, but was " + v);
            }
            values[i] = v.doubleValue();
        }
        return values;
    }

    /**
     * Tells whether another value has the same names and the same numbers.
     *
     * @param other any object
     * @return true for a standardization with equal names, means and stds
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Standardization s && featureNames.equals(s.featureNames)
                && Arrays.equals(means, s.means) && Arrays.equals(stds, s.stds);
    }

    /**
     * Returns a hash of the names and numbers, consistent with {@link #equals(Object)}.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return Objects.hash(featureNames, Arrays.hashCode(means), Arrays.hashCode(stds));
    }

    /**
     * Returns the names and numbers, for people.
     *
     * @return {@code Standardization[featureNames=[...], means=[...], stds=[...]]}
     */
    @Override
    public String toString() {
        return "Standardization[featureNames=" + featureNames + ", means=" + Arrays.toString(means) + ", stds="
                + Arrays.toString(stds) + "]";
    }
}
