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
            // label_values(selector, label) asks Grafana for the label's values on the selector's series
            exprs.put("variable '" + v.path("name").asText() + "'", variableSelector(v));
        }
        return exprs;
    }

    /** The series selector of a {@code label_values(selector, label)} variable. */
    static String variableSelector(JsonNode variable) {
        JsonNode query = variable.path("query");
        String q = query.isObject() ? query.path("query").asText() : query.asText();
        return q.replaceAll("^label_values\\(\\s*(.+?)\\s*,\\s*[a-z_]+\\s*\\)$", "$1");
    }

    /** The label a {@code label_values(selector, label)} variable lists. */
    static String variableLabel(JsonNode variable) {
        JsonNode query = variable.path("query");
        String q = query.isObject() ? query.path("query").asText() : query.asText();
        return q.replaceAll("^label_values\\(.*,\\s*([a-z_]+)\\s*\\)$", "$1");
    }

    /** A variable of the dashboard by name. */
    static JsonNode variable(String name) throws IOException {
        for (JsonNode v : json().path("templating").path("list")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new IllegalStateException("the dashboard has no variable " + name);
    }

    /** An expression with Grafana's variables replaced as Grafana would with All chosen, for PromQL tools. */
    static String concrete(String expr) {
        return concrete(expr, Map.of());
    }

    /**
     * An expression with Grafana's variables replaced as Grafana would: each named one by its
     * regular expression, the others by All ({@code .*}).
     */
    static String concrete(String expr, Map<String, String> chosen) {
        String e = expr.replace("$__rate_interval", "1m").replace("$__interval", "15s");
        for (String name : List.of("instance", "sweep", "run")) {
            String value = chosen.getOrDefault(name, ".*");
            e = e.replace("${" + name + "}", value).replace("$" + name, value);
        }
        return e;
    }

    /** A panel of the dashboard by title. */
    static JsonNode panel(String title) throws IOException {
        for (JsonNode p : json().path("panels")) {
            if (p.path("title").asText().equals(title)) {
                return p;
            }
        }
        throw new IllegalStateException("the dashboard has no panel " + title);
    }

    static List<JsonNode> panels() throws IOException {
        List<JsonNode> list = new ArrayList<>();
        json().path("panels").forEach(list::add);
        return list;
    }
}
