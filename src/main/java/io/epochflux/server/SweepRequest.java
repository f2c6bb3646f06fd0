package io.epochflux.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.server.RunRequest.InvalidField;
import io.epochflux.sweep.Pruner;
import io.epochflux.sweep.SearchSpace;
import io.epochflux.sweep.TrialConfig;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * The settings of one sweep started over HTTP ({@code POST /sweeps}): the {@code sweep} command's
 * search alternatives as JSON arrays ({@code hidden} [[2],[8],[32,16]], {@code lr}, {@code optimizer},
 * {@code batchSize}, {@code activation}, {@code momentum}), {@code random} (a count drawn with the
 * seed instead of the whole grid), {@code pruner} (none, median, sh, asha or hyperband, with
 * {@code minEpochs} and {@code reductionFactor}), {@code epochs} per trial, {@code seed},
 * {@code concurrency}, {@code patience} (early stopping within each trial, none when absent), and
 * the data: {@code data}, {@code trainSize}, {@code valSize} as for a run.
 *
 * @param configs the trials' settings, in order
 * @param pruner the pruner
 * @param prunerName the pruner's name as given
 * @param epochs each trial's most epochs
 * @param seed seeds the data draw, the weights, shuffling and {@code random}
 * @param concurrency trials training at once
 * @param data the data settings, as a run request (data, trainSize, valSize, seed)
 * @param settings the settings as given, with defaults, for {@code GET /sweeps/{id}}
 */
record SweepRequest(List<TrialConfig> configs, Pruner pruner, String prunerName, int epochs, long seed, int concurrency,
                    Integer patience, RunRequest data, Map<String, Object> settings) {

    /** The fields a request may carry. */
    static final List<String> FIELDS = List.of("hidden", "lr", "optimizer", "batchSize", "activation", "momentum",
            "random", "pruner", "minEpochs", "reductionFactor", "epochs", "seed", "concurrency", "patience", "data",
            "trainSize", "valSize");

    /**
     * How many trial epochs a sweep may ask for (trials × epochs), as a multiple of the server's
     * most epochs per run.
     */
    static final int TRIAL_EPOCHS_FACTOR = 10;

    static final int DEFAULT_EPOCHS = 30;

    /** Reads and checks a request body; a broken rule is an {@link InvalidField}. */
    static SweepRequest fromJson(JsonNode json, Limits limits) {
        if (!json.isObject()) {
            throw new InvalidField("body", json.getNodeType().name().toLowerCase(Locale.ROOT), "a JSON object");
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidField(field, json.get(field).toString(), "left out: it is not a sweep setting; the fields are "
                        + String.join(", ", FIELDS));
            }
        }
        int epochs = integer(json, "epochs", DEFAULT_EPOCHS, 1);
        long seed = json.hasNonNull("seed") ? longInteger(json.get("seed")) : 10L;
        List<List<Integer>> hidden = alternatives(json, "hidden", List.of(List.of(2)), v -> {
            if (!v.isArray() || v.isEmpty() || v.size() > limits.maxLayers()) {
                throw new InvalidField("hidden", json.get("hidden").toString(),
                        "an array of alternatives, each an array of 1 to " + limits.maxLayers() + " widths");
            }
            List<Integer> widths = new ArrayList<>();
            for (JsonNode w : v) {
                if (!w.canConvertToInt() || !w.isIntegralNumber() || w.asInt() < 1 || w.asInt() > limits.maxLayerWidth()) {
                    throw new InvalidField("hidden", w.toString(), "widths in 1.." + limits.maxLayerWidth()
                            + " (the server's --max-layer-width)");
                }
                widths.add(w.asInt());
            }
            return widths;
        });
        List<String> optimizers = alternatives(json, "optimizer", List.of("sgd"), v -> {
            if (!v.isTextual() || !(v.asText().equals("sgd") || v.asText().equals("adam"))) {
                throw new InvalidField("optimizer", v.toString(), "sgd or adam");
            }
            return v.asText();
        });
        List<Double> lrs = alternatives(json, "lr", List.of(optimizers.get(0).equals("adam")
                ? Optimizer.Adam.DEFAULT_LEARNING_RATE : Optimizer.Sgd.DEFAULT_LEARNING_RATE), v -> {
            if (!v.isNumber() || !(v.asDouble() > 0) || !Double.isFinite(v.asDouble())) {
                throw new InvalidField("lr", v.toString(), "> 0");
            }
            return v.asDouble();
        });
        List<Double> momenta = alternatives(json, "momentum", List.of(0.0), v -> {
            if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() < 1)) {
                throw new InvalidField("momentum", v.toString(), ">= 0 and < 1");
            }
            return v.asDouble();
        });
        List<Integer> batchSizes = alternatives(json, "batchSize", List.of(10), v -> {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
                throw new InvalidField("batchSize", v.toString(), "integers >= 1");
            }
            return v.asInt();
        });
        List<Activation> activations = alternatives(json, "activation", List.of(Activation.RELU), v -> {
            try {
                return Activation.fromName(v.asText());
            } catch (IllegalArgumentException e) {
                throw new InvalidField("activation", v.toString(), "one of relu, sigmoid, tanh, linear, softmax");
            }
        });
        Integer patience = json.hasNonNull("patience") ? integer(json, "patience", 0, 0) : null;
        SearchSpace.Builder space = SearchSpace.builder().hidden(hidden).optimizers(optimizers).learningRates(lrs)
                .momenta(momenta).batchSizes(batchSizes).activations(activations);
        if (patience != null) {
            space.patiences(List.of(patience));
        }
        SearchSpace s = space.build();
        Integer random = json.hasNonNull("random") ? integer(json, "random", 1, 1) : null;
        long trials = random != null ? random : s.size();
        long budget = (long) limits.maxEpochs() * TRIAL_EPOCHS_FACTOR;
        // divided, not multiplied: trials × epochs wrapped around a long and let 2^34 trials through
        if (trials > budget / epochs) {
            throw new InvalidField("epochs", Integer.toString(epochs), "at most " + budget + " / trials (" + trials
                    + "): trials × epochs <= " + TRIAL_EPOCHS_FACTOR + " × the server's --max-epochs");
        }
        List<TrialConfig> configs = random != null ? s.sample(random, seed) : s.grid();
        int concurrency = integer(json, "concurrency", Math.min(2, limits.maxConcurrentRuns()), 1);
        if (concurrency > limits.maxConcurrentRuns()) {
            throw new InvalidField("concurrency", Integer.toString(concurrency),
                    "<= " + limits.maxConcurrentRuns() + " (the server's --max-runs)");
        }
        String prunerName = json.hasNonNull("pruner") ? json.get("pruner").asText() : "none";
        int min = integer(json, "minEpochs", Math.max(1, Math.min(Pruner.DEFAULT_MIN_EPOCHS, epochs / 3)), 1);
        int eta = integer(json, "reductionFactor", Pruner.DEFAULT_REDUCTION_FACTOR, 2);
        boolean rungs = List.of("sh", "asha", "hyperband").contains(prunerName);
        if (rungs && min >= epochs) {
            throw new InvalidField("minEpochs", Integer.toString(min), "< epochs (" + epochs + ") for a rung to prune at");
        }
        Pruner pruner = switch (prunerName) {
            case "none" -> Pruner.none();
            case "median" -> Pruner.median();
            case "sh" -> Pruner.successiveHalving(min, eta);
            case "asha" -> Pruner.asha(min, eta);
            case "hyperband" -> Pruner.hyperband(min, eta);
            default -> throw new InvalidField("pruner", json.get("pruner").toString(), "one of none, median, sh, asha, hyperband");
        };
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        for (String f : List.of("data", "trainSize", "valSize")) {
            if (json.has(f)) {
                d.set(f, json.get(f));
            }
        }
        d.put("seed", seed);
        RunRequest data = RunRequest.fromJson(d);
        limits.check(data);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("hidden", hidden);
        settings.put("lr", lrs);
        settings.put("optimizer", optimizers);
        settings.put("batchSize", batchSizes);
        settings.put("activation", activations.stream().map(Activation::kerasName).toList());
        settings.put("momentum", momenta);
        settings.put("random", random);
        settings.put("pruner", prunerName);
        settings.put("minEpochs", min);
        settings.put("reductionFactor", eta);
        settings.put("epochs", epochs);
        settings.put("seed", seed);
        settings.put("concurrency", concurrency);
        settings.put("patience", patience);
        settings.put("data", data.data());
        settings.put("trainSize", data.trainSize());
        settings.put("valSize", data.valSize());
        return new SweepRequest(configs, pruner, prunerName, epochs, seed, concurrency, patience, data, settings);
    }

    private static <T> List<T> alternatives(JsonNode json, String field, List<T> dflt, Function<JsonNode, T> one) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isArray() || v.isEmpty()) {
            throw new InvalidField(field, v.toString(), "a non-empty array of alternatives");
        }
        List<T> out = new ArrayList<>();
        for (JsonNode x : v) {
            out.add(one.apply(x));
        }
        return out;
    }

    private static int integer(JsonNode json, String field, int dflt, int least) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < least) {
            throw new InvalidField(field, v.toString(), "an integer >= " + least);
        }
        return v.asInt();
    }

    private static long longInteger(JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new InvalidField("seed", v.toString(), "an integer");
        }
        return v.asLong();
    }
}
