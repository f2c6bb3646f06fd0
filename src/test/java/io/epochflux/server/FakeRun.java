package io.epochflux.server;

import io.epochflux.report.HistoryCsv;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A page script that adds one ended run, recorded in a history.csv, to what the page reads from
 * the server: GET /runs lists it, and its event stream replays its epochs, its stop and its end.
 * For what the server cannot train (a regression, a learning-rate schedule), so the page's
 * handling of such runs can be seen in a browser.
 */
final class FakeRun {

    private FakeRun() {
    }

    static String script(String id, String name, Path historyCsv) throws IOException {
        History h = HistoryCsv.read(historyCsv);
        List<EpochMetrics> epochs = h.epochs();
        int best = h.argMin("val_loss").orElseThrow();
        int last = epochs.get(epochs.size() - 1).epoch();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("id", id);
        summary.put("name", name);
        summary.put("state", "stopped_early");
        summary.put("epoch", last);
        summary.put("epochs", 500);
        summary.put("monitor", "val_loss");
        summary.put("best", Map.of("epoch", best, "value", epochs.get(best - 1).value("val_loss").getAsDouble()));
        summary.put("outcome", "stopped_early");
        summary.put("started", "2026-12-06T12:00:00Z");
        summary.put("settings", Map.of("hidden", List.of(16), "activation", "relu", "optimizer", "adam", "lr", 0.01,
                "batchSize", 10, "trainSize", 265, "valSize", 88, "patience", 20, "monitor", "val_loss",
                "restoreBestWeights", true));
        summary.put("trainingMs", h.trainingTime().toNanos() / 1e6);
        Map<String, Object> stop = new LinkedHashMap<>();
        stop.put("outcome", "stopped_early");
        stop.put("epochs", last);
        stop.put("report", Map.of("reason", "PATIENCE_EXHAUSTED", "epoch", last, "bestEpoch", best, "restoredFromEpoch", best,
                "bestValue", epochs.get(best - 1).value("val_loss").getAsDouble(),
                "message", "val_loss did not improve for 20 epochs (patience 20); recorded run"));
        String json = Http.JSON.writeValueAsString(Map.of("summary", summary, "epochs", epochs, "stop", stop));
        return "(function () {"
                + " var fake = " + json + ", realFetch = window.fetch, RealSource = window.EventSource;"
                + " window.fetch = function (path, opts) {"
                + "   var get = !opts || !opts.method || opts.method === 'GET';"
                + "   if (get && path === '/runs') {"
                + "     return realFetch(path, opts).then(function (r) { return r.json(); }).then(function (j) {"
                + "       j.runs.push(fake.summary); return new Response(JSON.stringify(j), { status: 200 }); }); }"
                + "   if (get && path === '/runs/" + id + "') {"
                + "     return Promise.resolve(new Response(JSON.stringify(fake.summary), { status: 200 })); }"
                + "   return realFetch(path, opts); };"
                + " window.EventSource = function (url) {"
                + "   if (url.indexOf('/runs/" + id + "/epochs') !== 0) { return new RealSource(url); }"
                + "   var on = {}; this.addEventListener = function (k, f) { on[k] = f; }; this.close = function () { };"
                + "   setTimeout(function () {"
                + "     fake.epochs.forEach(function (e) { on.epoch({ data: JSON.stringify(e) }); });"
                + "     on.stop({ data: JSON.stringify(fake.stop) }); on.end({ data: '{}' }); }, 0); };"
                + "})();";
    }
}
