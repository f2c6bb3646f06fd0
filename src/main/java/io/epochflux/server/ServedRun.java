package io.epochflux.server;

import io.epochflux.nn.Sequential;
import io.epochflux.runs.RunHandle;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.StopReport;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/** A run the server started: its handle, the request it came from, and the model it trains. */
record ServedRun(String id, String name, RunRequest request, RunHandle handle, Sequential model,
                 java.util.concurrent.atomic.AtomicReference<Map.Entry<EpochMetrics, String>> lastEvent) {

    ServedRun(String id, String name, RunRequest request, RunHandle handle, Sequential model) {
        this(id, name, request, handle, model, new java.util.concurrent.atomic.AtomicReference<>());
    }

    /** Every live viewer sends the same latest epoch: encode it once, not once per viewer. */
    String eventText(EpochMetrics m, java.util.function.Function<EpochMetrics, String> encode) {
        Map.Entry<EpochMetrics, String> last = lastEvent.get();
        if (last != null && last.getKey() == m) {
            return last.getValue();
        }
        String text = encode.apply(m);
        if (m.epoch() >= handle.epochs()) {
            lastEvent.set(Map.entry(m, text));
        }
        return text;
    }


    /** @return the state: queued, training or waiting while it runs, then how it ended */
    String state() {
        return handle.outcomeNow().map(o -> o.kind().name().toLowerCase(Locale.ROOT))
                .orElse(handle.status().name().toLowerCase(Locale.ROOT));
    }

    /** The summary GET /runs lists. */
    Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        m.put("state", state());
        m.put("epoch", handle.epochs());
        m.put("epochs", request.epochs());
        m.put("monitor", request.monitor());
        History history = handle.history();
        m.put("best", best(history));
        m.put("outcome", handle.outcomeNow().map(o -> o.kind().name().toLowerCase(Locale.ROOT)).orElse(null));
        m.put("started", handle.started().toString());
        m.put("viewers", handle.viewers());
        m.put("droppedViewers", handle.droppedViewers());
        return m;
    }

    /** What GET /runs/{id} gives: the summary, settings, stop report and history summary. */
    Map<String, Object> detail() {
        Map<String, Object> m = summary();
        m.put("settings", request.describe());
        m.put("stop", handle.stop().orElse(null));
        History history = handle.history();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("epochs", history.size());
        h.put("last", history.last().orElse(null));
        h.put("trainingTimeMs", history.trainingTime().toNanos() / 1e6);
        m.put("history", h);
        m.put("weightsEpoch", handle.outcomeNow().map(RunOutcome::weightsEpoch).orElse(null));
        m.put("error", handle.outcomeNow().flatMap(RunOutcome::error).or(handle::error)
                .map(e -> e.getMessage() == null ? e.toString() : e.getMessage()).orElse(null));
        return m;
    }

    /** The best epoch of the monitored metric: the stop report's, else the history's. */
    Map<String, Object> best(History history) {
        String monitor = request.monitor();
        OptionalInt epoch = handle.stop().filter(s -> s.monitor().map(monitor::equals).orElse(false))
                .map(StopReport::bestEpoch).orElse(OptionalInt.empty());
        if (epoch.isEmpty()) {
            epoch = request.monitorRises() ? history.argMax(monitor) : history.argMin(monitor);
        }
        if (epoch.isEmpty()) {
            return null;
        }
        int e = epoch.getAsInt();
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("epoch", e);
        b.put("value", history.epochs().stream().filter(x -> x.epoch() == e).findFirst()
                .flatMap(x -> x.value(monitor).isPresent() ? java.util.Optional.of(x.value(monitor).getAsDouble())
                        : java.util.Optional.empty()).orElse(null));
        return b;
    }

}
