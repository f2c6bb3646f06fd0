package io.epochflux.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The provisioned dashboard and datasource, as Grafana would read them. */
final class Dashboard {

    static final Path ROOT = Path.of(System.getProperty("epochflux.basedir", "")).toAbsolutePath();
    static final Path DASHBOARD = ROOT.resolve("grafana/dashboards/epochflux.json");
    static final Path DATASOURCES = ROOT.resolve("grafana/provisioning/datasources/prometheus.yml");
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Dashboard() {
    }

    static JsonNode json() throws IOException {
        return JSON.readTree(DASHBOARD.toFile());
    }

    static String datasourceUid() throws IOException {
        JsonNode ds = YAML.readTree(DATASOURCES.toFile()).path("datasources");
        if (ds.size() != 1) {
            throw new IllegalStateException("expected one provisioned datasource, found " + ds.size());
        }
        return ds.get(0).path("uid").asText();
    }

    /** Every PromQL expression of the dashboard, keyed by where it is. */
    static Map<String, String> expressions() throws IOException {
        JsonNode d = json();
        Map<String, String> exprs = new LinkedHashMap<>();
        for (JsonNode p : d.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                exprs.put("panel " + p.path("id").asInt() + " '" + p.path("title").asText() + "' target "
                        + t.path("refId").asText(), t.path("expr").asText());
            }
        }
        for (JsonNode a : d.path("annotations").path("list")) {
            exprs.put("annotation '" + a.path("name").asText() + "'", a.path("expr").asText());
        }
        for (JsonNode v : d.path("templating").path("list")) {
            String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
            // label_values(metric, label) asks Grafana for the label's values on that metric
            String metric = q.replaceAll("label_values\\(\\s*([a-z_:]+)\\s*,.*", "$1");
            exprs.put("variable '" + v.path("name").asText() + "'", metric);
        }
        return exprs;
    }

    /** An expression with Grafana's variables replaced as Grafana would, for PromQL tools. */
    static String concrete(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$__interval", "15s")
                .replace("${run}", ".*").replace("$run", ".*")
                .replace("${sweep}", ".*").replace("$sweep", ".*");
    }

    static List<JsonNode> panels() throws IOException {
        List<JsonNode> list = new ArrayList<>();
        json().path("panels").forEach(list::add);
        return list;
    }
}
