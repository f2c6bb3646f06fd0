package io.epochflux.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.EpochMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's JSON, checked as far as this machine allows without Grafana. */
class DashboardTest {

    @Test
    void panelsHaveUniqueIdsAndUseTheProvisionedDatasource() throws IOException {
        String uid = Dashboard.datasourceUid();
        assertEquals("epochflux-prometheus", uid);
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : Dashboard.panels()) {
            assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id " + p.path("id"));
            assertEquals(uid, p.path("datasource").path("uid").asText(), "panel " + p.path("title"));
            assertEquals("prometheus", p.path("datasource").path("type").asText());
            assertFalse(p.path("targets").isEmpty(), "panel " + p.path("title") + " has no query");
            for (JsonNode t : p.path("targets")) {
                assertEquals(uid, t.path("datasource").path("uid").asText(), "target of " + p.path("title"));
                assertFalse(t.path("expr").asText().isBlank());
            }
        }
        JsonNode d = Dashboard.json();
        assertEquals(uid, d.path("templating").path("list").get(0).path("datasource").path("uid").asText());
        assertEquals(uid, d.path("annotations").path("list").get(0).path("datasource").path("uid").asText());
        assertEquals("epochflux-training", d.path("uid").asText());
    }

    @Test
    void panelsTileTheGridWithoutOverlapping() throws IOException {
        List<JsonNode> panels = Dashboard.panels();
        for (int i = 0; i < panels.size(); i++) {
            JsonNode a = panels.get(i).path("gridPos");
            assertTrue(a.path("x").asInt() + a.path("w").asInt() <= 24, "panel wider than the grid");
            for (int j = i + 1; j < panels.size(); j++) {
                JsonNode b = panels.get(j).path("gridPos");
                boolean overlap = a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
                        && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                        && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
                        && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
                assertFalse(overlap, panels.get(i).path("title") + " overlaps " + panels.get(j).path("title"));
            }
        }
    }

    @Test
    void theRunSelectorIsMultiSelectAndEveryQueryFiltersByIt() throws IOException {
        JsonNode run = Dashboard.json().path("templating").path("list").get(0);
        assertEquals("run", run.path("name").asText());
        assertTrue(run.path("multi").asBoolean());
        assertTrue(run.path("includeAll").asBoolean());
        for (Map.Entry<String, String> e : Dashboard.expressions().entrySet()) {
            if (!e.getKey().startsWith("variable")) {
                assertTrue(e.getValue().contains("run=~\"$run\""), e.getKey() + ": " + e.getValue());
            }
        }
        JsonNode annotation = Dashboard.json().path("annotations").path("list").get(0);
        assertTrue(annotation.path("expr").asText().contains("epochflux_stop_timestamp_seconds"));
        assertTrue(annotation.path("useValueForTime").asBoolean(), "the gauge's value is the annotation's time");
    }

    @Test
    void everyMetricTheDashboardReadsIsOneTheBinderPublishes() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EarlyStopping es = EarlyStopping.builder().patience(0).build();
        Flux.just(1.0, 0.9, 1.1)
                .index((i, v) -> EpochMetrics.of(i.intValue() + 1, Map.of("loss", v, "accuracy", 0.5, "val_loss", v,
                        "val_accuracy", 0.4), () -> { }).withDuration(Duration.ofMillis(3)))
                .transform(es)
                .transform(TrainingMetrics.builder(registry).run("r").monitor(es).info("model", "m").build())
                .blockLast();
        String scrape = registry.scrape();
        Pattern metric = Pattern.compile("\\b(epochflux_[a-z_]+)");
        for (Map.Entry<String, String> e : Dashboard.expressions().entrySet()) {
            Matcher m = metric.matcher(e.getValue());
            boolean any = false;
            while (m.find()) {
                any = true;
                assertTrue(scrape.contains("\n" + m.group(1) + "{") || scrape.startsWith(m.group(1) + "{"),
                        e.getKey() + " reads " + m.group(1) + ", which the binder does not publish");
            }
            assertTrue(any, e.getKey() + " reads no epochflux metric: " + e.getValue());
        }
    }
}
