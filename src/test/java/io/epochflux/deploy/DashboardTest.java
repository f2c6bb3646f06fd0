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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        for (JsonNode v : d.path("templating").path("list")) {
            assertEquals(uid, v.path("datasource").path("uid").asText(), "variable " + v.path("name"));
        }
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
        JsonNode run = Dashboard.variable("run");
        assertTrue(run.path("multi").asBoolean());
        assertTrue(run.path("includeAll").asBoolean());
        for (Map.Entry<String, String> e : Dashboard.expressions().entrySet()) {
            if (!e.getKey().startsWith("variable")) {
                assertTrue(e.getValue().contains("run=~\"$run\""), e.getKey() + ": " + e.getValue());
                assertTrue(e.getValue().contains("instance=~\"$instance\""), e.getKey() + ": " + e.getValue());
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
        // a regression with a learning-rate operator: mae and the rate
        Flux.just(9.0, 8.0)
                .index((i, v) -> EpochMetrics.of(i.intValue() + 1, Map.of("loss", v, "mae", 3.0, "val_loss", v,
                        "val_mae", 3.1, "learning_rate", 0.01), () -> { }).withDuration(Duration.ofMillis(3)))
                .transform(TrainingMetrics.builder(registry).run("regression").build())
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

    @Test
    void runFollowsSweepAndInstanceAndComesAfterThem() throws IOException {
        List<String> order = new ArrayList<>();
        Dashboard.json().path("templating").path("list").forEach(v -> order.add(v.path("name").asText()));
        // Grafana resolves a variable's query with the variables before it
        assertEquals(List.of("instance", "sweep", "run"), order);
        assertEquals("instance", Dashboard.variableLabel(Dashboard.variable("instance")));
        assertEquals("epochflux_run_info", Dashboard.variableSelector(Dashboard.variable("instance")));
        String sweeps = Dashboard.variableSelector(Dashboard.variable("sweep"));
        assertTrue(sweeps.contains("instance=~\"$instance\""), sweeps);
        String runs = Dashboard.variableSelector(Dashboard.variable("run"));
        assertTrue(runs.contains("instance=~\"$instance\"") && runs.contains("sweep=~\"$sweep\""), runs);
        assertEquals("run", Dashboard.variableLabel(Dashboard.variable("run")));
        for (String name : List.of("instance", "sweep", "run")) {
            JsonNode v = Dashboard.variable(name);
            assertTrue(v.path("multi").asBoolean() && v.path("includeAll").asBoolean(), name);
            assertEquals(".*", v.path("allValue").asText(), name);
        }
    }

    @Test
    void legendsReadRunThenInstance() throws IOException {
        for (JsonNode p : Dashboard.panels()) {
            for (JsonNode t : p.path("targets")) {
                String legend = t.path("legendFormat").asText();
                if (legend.contains("{{run}}")) {
                    assertTrue(legend.contains("{{run}} ({{instance}})"), p.path("title") + ": " + legend);
                }
                assertFalse(legend.contains("{{instance}}") && !legend.contains("({{instance}})"),
                        p.path("title") + ": a raw address in a legend: " + legend);
            }
        }
    }

    @Test
    void validationCurvesAreDashedThroughAnOverride() throws IOException {
        int checked = 0;
        for (JsonNode p : Dashboard.panels()) {
            boolean bySplit = false;
            for (JsonNode t : p.path("targets")) {
                bySplit |= t.path("legendFormat").asText().endsWith("{{split}}");
            }
            if (!bySplit) {
                continue;
            }
            checked++;
            JsonNode dashed = null;
            for (JsonNode o : p.path("fieldConfig").path("overrides")) {
                for (JsonNode prop : o.path("properties")) {
                    if (prop.path("id").asText().equals("custom.lineStyle")
                            && prop.path("value").path("fill").asText().equals("dash")) {
                        dashed = o.path("matcher");
                    }
                }
            }
            assertNotNull(dashed, p.path("title") + " has no dashed override");
            assertEquals("byRegexp", dashed.path("id").asText());
            Pattern names = Pattern.compile(dashed.path("options").asText());
            // the legend as Grafana renders it for a run named like the seed's, on a replica
            assertTrue(names.matcher("patience-30 (10.0.0.7:9464) validation").matches(), p.path("title").asText());
            assertFalse(names.matcher("patience-30 (10.0.0.7:9464) train").matches(), p.path("title").asText());
        }
        assertEquals(3, checked, "loss, accuracy and mae are drawn by split");
    }

    @Test
    void runStatesAreNamedAndColouredByValueMappings() throws IOException {
        JsonNode panel = Dashboard.panel("Run state");
        Matcher codes = Pattern.compile("state=\"([a-z_]+)\"} \\* (\\d+)").matcher(panel.path("targets").get(0).path("expr").asText());
        Map<String, String> codeOf = new java.util.HashMap<>();
        while (codes.find()) {
            codeOf.put(codes.group(1), codes.group(2));
        }
        Set<String> tags = new HashSet<>();
        for (TrainingMetrics.RunState s : TrainingMetrics.RunState.values()) {
            tags.add(s.tag());
        }
        assertEquals(tags, codeOf.keySet(), "the query codes every state the binder publishes");
        Set<String> colours = new HashSet<>();
        for (JsonNode m : panel.path("fieldConfig").path("defaults").path("mappings")) {
            m.path("options").fields().forEachRemaining(e -> {
                String state = e.getValue().path("text").asText();
                assertEquals(codeOf.get(state), e.getKey(), "the mapping names code " + e.getKey() + " as the query does");
                colours.add(e.getValue().path("color").asText());
                tags.remove(state);
            });
        }
        assertTrue(tags.isEmpty(), "states without a mapping: " + tags);
        assertEquals(5, colours.size(), "each state its own colour");
        assertEquals("background", panel.path("options").path("colorMode").asText());
    }

    @Test
    void stopsAreSummedByReasonAcrossInstances() throws IOException {
        String expr = Dashboard.panel("Stops by reason").path("targets").get(0).path("expr").asText();
        assertTrue(expr.startsWith("sum by (reason) (epochflux_stops_total{"), expr);
    }

    @Test
    void learningRateAndRegressionPanelsReadTheirGauges() throws IOException {
        JsonNode lr = Dashboard.panel("Learning rate");
        assertTrue(lr.path("targets").get(0).path("expr").asText().startsWith("epochflux_learning_rate{"));
        assertEquals("log", lr.path("fieldConfig").path("defaults").path("custom").path("scaleDistribution").path("type").asText());
        JsonNode mae = Dashboard.panel("MAE and val_mae (regression)");
        assertTrue(mae.path("targets").get(0).path("expr").asText().startsWith("epochflux_mae{"));
    }
}
