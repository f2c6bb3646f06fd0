package io.epochflux.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochflux.report.RunReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus on loopback scraping a real training run (the packaged jar running the seed
 * experiment with its metrics endpoint): every metric the dashboard reads appears with its labels
 * and plausible values, every dashboard query answers, and promtool and docker-compose accept the
 * files they read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringIT {

    private static final Set<String> RUNS = Set.of("no-early-stopping", "patience-0", "patience-30");

    @TempDir
    static Path dir;

    private Process app;
    private Process prometheus;
    private int appPort;
    private String prometheusUrl;
    private double startedSeconds;

    @BeforeAll
    void startTheRunAndPrometheus() throws Exception {
        String prometheusBinary = Processes.require("prometheus");
        startedSeconds = System.currentTimeMillis() / 1000.0;
        appPort = Processes.freePort();
        app = Processes.epochflux(dir.resolve("app.log"), true, "experiment", "--epochs", "300",
                "--min-epoch-duration", "20ms", "--metrics-port", String.valueOf(appPort), "--linger",
                "--out", dir.resolve("out").toString());
        Processes.await("the app's metrics endpoint", Duration.ofSeconds(60),
                () -> Processes.get("http://127.0.0.1:" + appPort + "/metrics").statusCode(), c -> c == 200);

        int port = Processes.freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "scrape_configs:",
                "  - job_name: epochflux",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + appPort + "']",
                ""));
        prometheus = new ProcessBuilder(prometheusBinary, "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        Processes.await("Prometheus to scrape the app (up == 1)", Duration.ofSeconds(60),
                () -> query("up{job=\"epochflux\"}"), r -> r.size() == 1 && r.get(0).path("value").get(1).asText().equals("1"));
        Processes.await("all three runs to finish", Duration.ofSeconds(120),
                () -> query("epochflux_run_state{state=\"running\"} == 0"), r -> r.size() == 3);
        // one more scrape after the last change
        Thread.sleep(2500);
    }

    @AfterAll
    void stop() throws InterruptedException {
        Processes.stop(app);
        Processes.stop(prometheus);
    }

    private List<JsonNode> query(String promql) throws IOException, InterruptedException {
        var response = Processes.get(prometheusUrl + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = Dashboard.JSON.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalStateException(promql + ": " + body);
        }
        List<JsonNode> result = new ArrayList<>();
        body.path("data").path("result").forEach(result::add);
        return result;
    }

    private Map<String, Double> byRun(String promql) throws IOException, InterruptedException {
        Map<String, Double> values = new HashMap<>();
        for (JsonNode r : query(promql)) {
            values.put(r.path("metric").path("run").asText(), r.path("value").get(1).asDouble());
        }
        return values;
    }

    @Test
    void everyDashboardQueryAnswers() throws Exception {
        for (Map.Entry<String, String> e : Dashboard.expressions().entrySet()) {
            String promql = Dashboard.concrete(e.getValue());
            if (e.getKey().startsWith("panel") && promql.contains("rate(")) {
                promql = promql.replace("[1m]", "[5m]"); // the runs are over: look back far enough
            }
            List<JsonNode> result = query(promql);
            assertFalse(result.isEmpty(), e.getKey() + " returned nothing: " + promql);
        }
    }

    @Test
    void everySeriesCarriesItsLabels() throws Exception {
        for (String metric : new String[] {"epochflux_loss", "epochflux_accuracy_ratio"}) {
            Set<String> seen = new TreeSet<>();
            for (JsonNode r : query(metric)) {
                JsonNode m = r.path("metric");
                assertEquals("epochflux", m.path("job").asText());
                assertEquals("127.0.0.1:" + appPort, m.path("instance").asText());
                seen.add(m.path("run").asText() + "/" + m.path("split").asText());
            }
            Set<String> expected = new TreeSet<>();
            for (String run : RUNS) {
                expected.add(run + "/train");
                expected.add(run + "/validation");
            }
            assertEquals(expected, seen, metric);
        }
        assertEquals(RUNS, byRun("epochflux_run_info").keySet());
        JsonNode info = query("epochflux_run_info{run=\"patience-30\"}").get(0).path("metric");
        assertEquals("784-2(relu)-10(softmax)", info.path("model").asText());
        assertEquals("sgd", info.path("optimizer").asText());
        assertEquals("10", info.path("batch_size").asText());
        assertTrue(info.path("stop_rule").asText().contains("patience=30"), info.toString());
        assertEquals(Set.of("patience-0", "patience-30"), byRun("epochflux_monitor_best{monitor=\"val_loss\"}").keySet());
    }

    @Test
    void valuesArePlausibleAndAgreeWithTheRunsReports() throws Exception {
        for (JsonNode r : query("epochflux_loss")) {
            double v = r.path("value").get(1).asDouble();
            assertTrue(v > 0 && v < 10, "loss " + r);
        }
        for (JsonNode r : query("epochflux_accuracy_ratio")) {
            double v = r.path("value").get(1).asDouble();
            assertTrue(v >= 0 && v <= 1, "accuracy " + r);
        }
        assertEquals(Map.of("no-early-stopping", 1.0, "patience-0", 1.0, "patience-30", 1.0),
                byRun("sum by (run) (epochflux_run_state)"), "exactly one state per run");
        assertEquals(Set.of("no-early-stopping"), byRun("epochflux_run_state{state=\"completed\"} == 1").keySet());
        assertEquals(Set.of("patience-0", "patience-30"), byRun("epochflux_run_state{state=\"stopped_early\"} == 1").keySet());
        Map<String, Double> epochs = byRun("epochflux_epoch");
        Map<String, Double> counted = byRun("epochflux_epochs_total");
        assertEquals(epochs, counted, "the epoch gauge and the epoch counter agree");
        for (String run : RUNS) {
            RunReport report = RunReport.read(dir.resolve("out").resolve(run).resolve("report.json"));
            assertEquals(report.epochsRun(), epochs.get(run).intValue(), run);
            assertEquals(report.lastEpoch().get("val_loss"),
                    byRun("epochflux_loss{split=\"validation\"}").get(run), 1e-12, run);
        }
        assertEquals(300.0, epochs.get("no-early-stopping"));
        assertEquals(Map.of("patience-0", 1.0, "patience-30", 1.0),
                byRun("epochflux_stops_total{reason=\"PATIENCE_EXHAUSTED\"}"));
        assertEquals(Map.of("no-early-stopping", 1.0), byRun("epochflux_stops_total{reason=\"MAX_EPOCHS\"}"));
        double now = System.currentTimeMillis() / 1000.0;
        for (double t : byRun("epochflux_stop_timestamp_seconds").values()) {
            assertTrue(t >= startedSeconds && t <= now, "stop time " + t + " within the test");
        }
        assertEquals(30.0, byRun("epochflux_monitor_wait_epochs").get("patience-30"), "stopped when the wait reached 30");
        assertEquals(30.0, byRun("epochflux_monitor_patience_epochs").get("patience-30"));
    }

    @Test
    void promtoolFindsTheScrapeCleanAndTheQueriesValid() throws Exception {
        String promtool = Processes.require("promtool");
        Path scrape = dir.resolve("scrape.txt");
        Files.writeString(scrape, Processes.get("http://127.0.0.1:" + appPort + "/metrics").body());
        Processes.Result metrics = Processes.run(dir, List.of("sh", "-c", promtool + " check metrics < " + scrape), Map.of());
        assertEquals(0, metrics.exitCode(), metrics.output());
        assertEquals("", metrics.output().trim(), "a clean scrape prints nothing");

        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String expr : Dashboard.expressions().values()) {
            rules.append("      - record: epochflux:dashboard_query_").append(i++).append('\n')
                    .append("        expr: '").append(Dashboard.concrete(expr).replace("'", "''")).append("'\n");
        }
        Path file = dir.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);
        Processes.Result check = Processes.run(dir, List.of(promtool, "check", "rules", file.toString()), Map.of());
        assertEquals(0, check.exitCode(), check.output() + "\n" + rules);
        assertTrue(check.output().contains("SUCCESS: " + i + " rules found"), check.output());

        Processes.Result config = Processes.run(Dashboard.ROOT,
                List.of(promtool, "check", "config", "grafana/prometheus.yml"), Map.of());
        assertEquals(0, config.exitCode(), config.output());
    }

    @Test
    void dockerComposeAcceptsTheStack() throws Exception {
        String compose = Processes.require("docker-compose");
        Processes.Result ok = Processes.run(Dashboard.ROOT, List.of(compose, "config", "-q"),
                Map.of("GRAFANA_ADMIN_PASSWORD", "secret"));
        assertEquals(0, ok.exitCode(), ok.output());
        Processes.Result missing = Processes.run(Dashboard.ROOT, List.of(compose, "config", "-q"),
                Map.of("GRAFANA_ADMIN_PASSWORD", ""));
        assertTrue(missing.exitCode() != 0, "the admin password must come from the environment");
        assertTrue(missing.output().contains("GRAFANA_ADMIN_PASSWORD"), missing.output());
    }
}
