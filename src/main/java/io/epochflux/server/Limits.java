package io.epochflux.server;

import java.util.LinkedHashMap;
import java.util.Map;

/** What one caller may ask of the server, so that nobody exhausts the machine. */
record Limits(int maxEpochs, int maxLayerWidth, int maxLayers, int maxTrainSize, int maxValSize, int maxConcurrentRuns,
              int maxSseClients, int maxBodyBytes) {

    static final Limits DEFAULTS = new Limits(10_000, 1024, 8, 60_000, 10_000, 8, 64, 16 * 1024);

    /** Refuses a request over a limit, naming the field, the value and the limit. */
    void check(RunRequest r) {
        atMost("epochs", r.epochs(), maxEpochs, "--max-epochs");
        atMost("trainSize", r.trainSize(), maxTrainSize, "--max-train-size");
        atMost("valSize", r.valSize(), maxValSize, "--max-val-size");
        if (r.hidden().size() > maxLayers) {
            throw new RunRequest.InvalidField("hidden", r.hidden().toString(),
                    "at most " + maxLayers + " layers (the server's --max-layers)");
        }
        for (int w : r.hidden()) {
            atMost("hidden", w, maxLayerWidth, "--max-layer-width");
        }
    }

    private static void atMost(String field, int value, int max, String option) {
        if (value > max) {
            throw new RunRequest.InvalidField(field, Integer.toString(value), "<= " + max + " (the server's " + option + ")");
        }
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("maxEpochs", maxEpochs);
        m.put("maxLayerWidth", maxLayerWidth);
        m.put("maxLayers", maxLayers);
        m.put("maxTrainSize", maxTrainSize);
        m.put("maxValSize", maxValSize);
        m.put("maxConcurrentRuns", maxConcurrentRuns);
        m.put("maxSseClients", maxSseClients);
        m.put("maxBodyBytes", maxBodyBytes);
        return m;
    }
}
