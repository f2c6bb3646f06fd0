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
 * A real Prometheus on loopback scraping real training runs from two instances (the packaged jar
 * running the seed experiment, and a regression on the diabetes table with its learning rate
 * lowered on plateaus, each with its metrics endpoint): every metric the dashboard reads appears
 * with its labels and plausible values, every dashboard query answers, the variables filter what
 * they say, and promtool and docker-compose accept the files they read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringIT {

    private static final Set<String> RUNS = Set.of("no-early-stopping", "patience-0", "patience-30");
    private static final String REGRESSION = "regression";

    @TempDir
    static Path dir;

    private Process app;
    private Process regression;
    private Process prometheus;
    private int appPort;
    private int regressionPort;
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
        regressionPort = Processes.freePort();
        regression = Processes.epochflux(dir.resolve("regression.log"), true, "train", "--csv",
                Dashboard.ROOT.resolve("src/test/resources/tabular/diabetes.csv").toString(), "--label", "progression",
                "--task", "regression", "--hidden", "16", "--optimizer", "adam", "--lr", "0.01", "--reduce-lr-on-plateau",
                "--lr-patience", "3", "--lr-factor", "0.5", "--patience", "10", "--epochs", "150",
                "--min-epoch-duration", "20ms", "--name", REGRESSION, "--metrics-port", String.valueOf(regressionPort),
                "--linger", "--quiet", "--out", dir.resolve("regression").toString());
        Processes.await("the app's metrics endpoint", Duration.ofSeconds(60),
                () -> Processes.get("http://127.0.0.1:" + appPort + "/metrics").statusCode(), c -> c == 200);
        Processes.await("the regression's metrics endpoint", Duration.ofSeconds(60),
                () -> Processes.get("http://127.0.0.1:" + regressionPort + "/metrics").statusCode(), c -> c == 200);

        int port = Processes.freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "scrape_configs:",
                "  - job_name: epochflux",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + appPort + "', '127.0.0.1:" + regressionPort + "']",
                ""));
        prometheus = new ProcessBuilder(prometheusBinary, "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        Processes.await("Prometheus to scrape both instances (up == 1)", Duration.ofSeconds(60),
                () -> query("up{job=\"epochflux\"} == 1"), r -> r.size() == 2);
        Processes.await("all four runs to finish", Duration.ofSeconds(120),
                () -> query("epochflux_run_state{state=\"running\"} == 0"), r -> r.size() == 4);
        // one more scrape after the last change
        Thread.sleep(2500);
    }

    @AfterAll
    void stop() throws InterruptedException {
        Processes.stop(app);
        Processes.stop(regression);
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
            for (JsonNode r : query(metric + "{instance=\"" + seedInstance() + "\"}")) {
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
        assertEquals(RUNS, byRun("epochflux_run_info{instance=\"" + seedInstance() + "\"}").keySet());
        JsonNode info = query("epochflux_run_info{run=\"patience-30\"}").get(0).path("metric");
        assertEquals("784-2(relu)-10(softmax)", info.path("model").asText());
        assertEquals("sgd", info.path("optimizer").asText());
        assertEquals("10", info.path("batch_size").asText());
        assertTrue(info.path("stop_rule").asText().contains("patience=30"), info.toString());
        assertEquals(Set.of("patience-0", "patience-30"),
                byRun("epochflux_monitor_best{instance=\"" + seedInstance() + "\", monitor=\"val_loss\"}").keySet());
    }

    @Test
    void valuesArePlausibleAndAgreeWithTheRunsReports() throws Exception {
        String seed = "instance=\"" + seedInstance() + "\"";
        for (JsonNode r : query("epochflux_loss{" + seed + "}")) {
            double v = r.path("value").get(1).asDouble();
            assertTrue(v > 0 && v < 10, "loss " + r);
        }
        for (JsonNode r : query("epochflux_accuracy_ratio{" + seed + "}")) {
            double v = r.path("value").get(1).asDouble();
            assertTrue(v >= 0 && v <= 1, "accuracy " + r);
        }
        assertEquals(Map.of("no-early-stopping", 1.0, "patience-0", 1.0, "patience-30", 1.0),
                byRun("sum by (run) (epochflux_run_state{" + seed + "})"), "exactly one state per run");
        assertEquals(Set.of("no-early-stopping"), byRun("epochflux_run_state{" + seed + ", state=\"completed\"} == 1").keySet());
        assertEquals(Set.of("patience-0", "patience-30"),
                byRun("epochflux_run_state{" + seed + ", state=\"stopped_early\"} == 1").keySet());
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
                byRun("epochflux_stops_total{" + seed + ", reason=\"PATIENCE_EXHAUSTED\"}"));
        assertEquals(Map.of("no-early-stopping", 1.0), byRun("epochflux_stops_total{" + seed + ", reason=\"MAX_EPOCHS\"}"));
        double now = System.currentTimeMillis() / 1000.0;
        for (double t : byRun("epochflux_stop_timestamp_seconds").values()) {
            assertTrue(t >= startedSeconds && t <= now, "stop time " + t + " within the test");
        }
        assertEquals(30.0, byRun("epochflux_monitor_wait_epochs").get("patience-30"), "stopped when the wait reached 30");
        assertEquals(30.0, byRun("epochflux_monitor_patience_epochs").get("patience-30"));
    }

    private String seedInstance() {
        return "127.0.0.1:" + appPort;
    }

    private String regressionInstance() {
        return "127.0.0.1:" + regressionPort;
    }

    /** What a variable offers: its label's values on its selector's series, the other variables as chosen. */
    private Set<String> offered(String variable, Map<String, String> chosen) throws Exception {
        JsonNode v = Dashboard.variable(variable);
        Set<String> values = new TreeSet<>();
        for (JsonNode r : query(Dashboard.concrete(Dashboard.variableSelector(v), chosen))) {
            values.add(r.path("metric").path(Dashboard.variableLabel(v)).asText());
        }
        return values;
    }

    /** A panel's first query, the variables as chosen, answered now. */
    private List<JsonNode> panel(String title, Map<String, String> chosen) throws Exception {
        String promql = Dashboard.concrete(Dashboard.panel(title).path("targets").get(0).path("expr").asText(), chosen);
        return query(promql.replace("[1m]", "[5m]"));
    }

    private RunReport regressionReport() throws IOException {
        return RunReport.read(dir.resolve("regression").resolve("report.json"));
    }

    @Test
    void theVariablesOfferWhatTheVariablesBeforeThemAllow() throws Exception {
        assertEquals(new TreeSet<>(Set.of(seedInstance(), regressionInstance())), offered("instance", Map.of()));
        Set<String> all = new TreeSet<>(RUNS);
        all.add(REGRESSION);
        assertEquals(all, offered("run", Map.of()));
        assertEquals(Set.of(REGRESSION), offered("run", Map.of("instance", regressionInstance())));
        assertEquals(new TreeSet<>(RUNS), offered("run", Map.of("instance", seedInstance())));
        // no run here is in a sweep: choosing one leaves nothing to pick
        assertEquals(Set.of(), offered("run", Map.of("sweep", "sweep-s1")));
    }

    @Test
    void choosingAnInstanceLeavesTheOtherOutOfEveryPanel() throws Exception {
        for (JsonNode p : Dashboard.panels()) {
            for (JsonNode t : p.path("targets")) {
                String promql = Dashboard.concrete(t.path("expr").asText(), Map.of("instance", seedInstance()))
                        .replace("[1m]", "[5m]");
                for (JsonNode r : query(promql)) {
                    JsonNode m = r.path("metric");
                    assertFalse(m.path("run").asText().equals(REGRESSION), p.path("title") + ": " + r);
                    assertTrue(m.path("instance").isMissingNode() || m.path("instance").asText().equals(seedInstance()),
                            p.path("title") + ": " + r);
                }
            }
        }
    }

    @Test
    void theMaeAndLearningRatePanelsShowTheRegression() throws Exception {
        Set<String> seen = new TreeSet<>();
        for (JsonNode r : panel("MAE and val_mae (regression)", Map.of())) {
            seen.add(r.path("metric").path("run").asText() + "/" + r.path("metric").path("split").asText());
            double v = r.path("value").get(1).asDouble();
            assertTrue(v > 10 && v < 200, "mae in the label's units (disease progression, 25 to 346): " + r);
        }
        assertEquals(Set.of(REGRESSION + "/train", REGRESSION + "/validation"), seen);
        assertEquals(regressionReport().lastEpoch().get("val_mae"), query(Dashboard.concrete(
                "epochflux_mae{split=\"validation\"}")).get(0).path("value").get(1).asDouble(), 1e-9);
        List<JsonNode> rates = panel("Learning rate", Map.of());
        assertEquals(1, rates.size(), "only the run with a learning-rate operator: " + rates);
        assertEquals(REGRESSION, rates.get(0).path("metric").path("run").asText());
        assertEquals(regressionReport().lastEpoch().get("learning_rate"), rates.get(0).path("value").get(1).asDouble(), 1e-12);
        assertTrue(panel("Accuracy and val_accuracy", Map.of()).stream()
                .noneMatch(r -> r.path("metric").path("run").asText().equals(REGRESSION)), "a regression has no accuracy");
    }

    @Test
    void theRunStatePanelCodesEachRunsStateAsItsMappingsName() throws Exception {
        Map<String, String> names = new HashMap<>();
        for (JsonNode m : Dashboard.panel("Run state").path("fieldConfig").path("defaults").path("mappings")) {
            m.path("options").fields().forEachRemaining(e -> names.put(e.getKey(), e.getValue().path("text").asText()));
        }
        Map<String, String> shown = new HashMap<>();
        for (JsonNode r : panel("Run state", Map.of())) {
            shown.put(r.path("metric").path("run").asText(), names.get(r.path("value").get(1).asText()));
        }
        Map<String, String> states = new HashMap<>();
        for (JsonNode r : query("epochflux_run_state == 1")) {
            states.put(r.path("metric").path("run").asText(), r.path("metric").path("state").asText());
        }
        assertEquals(4, states.size(), states.toString());
        assertEquals(states, shown);
        assertEquals("completed", shown.get("no-early-stopping"));
        assertEquals("stopped_early", shown.get("patience-30"));
    }

    @Test
    void stopsByReasonAddUpOverBothInstances() throws Exception {
        Map<String, Double> byReason = new HashMap<>();
        for (JsonNode r : panel("Stops by reason", Map.of())) {
            byReason.put(r.path("metric").path("reason").asText(), r.path("value").get(1).asDouble());
        }
        boolean early = regressionReport().outcome() == RunReport.Outcome.STOPPED_EARLY;
        assertEquals(2.0 + (early ? 1 : 0), byReason.get("PATIENCE_EXHAUSTED"));
        assertEquals(1.0 + (early ? 0 : 1), byReason.get("MAX_EPOCHS"));
        Map<String, Double> seedOnly = new HashMap<>();
        for (JsonNode r : panel("Stops by reason", Map.of("instance", seedInstance()))) {
            seedOnly.put(r.path("metric").path("reason").asText(), r.path("value").get(1).asDouble());
        }
        assertEquals(Map.of("PATIENCE_EXHAUSTED", 2.0, "MAX_EPOCHS", 1.0), seedOnly);
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
