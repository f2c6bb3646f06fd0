package io.epochflux.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compose file, the Dockerfile and Prometheus' config, read as Docker and Prometheus would. */
class DeploymentFilesTest {

    private static final Path ROOT = Dashboard.ROOT;

    private static JsonNode compose() throws IOException {
        return Dashboard.YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    @Test
    void everyImageIsPinnedToAVersion() throws IOException {
        for (String service : new String[] {"prometheus", "grafana"}) {
            String image = compose().path("services").path(service).path("image").asText();
            assertTrue(image.matches("[a-z0-9./-]+:v?\\d+\\.\\d+\\.\\d+"), service + " image " + image);
        }
        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(Files.readString(ROOT.resolve("Dockerfile")));
        int count = 0;
        while (from.find()) {
            count++;
            assertTrue(from.group(1).matches("[a-z0-9./-]+:\\d+\\.\\d+[^ ]*"), "Dockerfile base " + from.group(1));
        }
        assertEquals(2, count, "a build stage and a runtime stage");
    }

    @Test
    void theAppServesMetricsOnThePortPrometheusScrapes() throws IOException {
        JsonNode app = compose().path("services").path("app");
        assertEquals(".", app.path("build").asText(), "the app is built from this repository's Dockerfile");
        List<String> command = strings(app.path("command"));
        assertEquals("experiment", command.get(0));
        assertEquals("9464", command.get(command.indexOf("--metrics-port") + 1));
        assertEquals("0.0.0.0", command.get(command.indexOf("--metrics-bind") + 1));
        assertTrue(command.contains("--linger"));
        assertTrue(command.contains("--min-epoch-duration"), "paced so the curves are watchable");
        JsonNode scrape = Dashboard.YAML.readTree(ROOT.resolve("grafana/prometheus.yml").toFile())
                .path("scrape_configs").get(0);
        JsonNode dns = scrape.path("dns_sd_configs").get(0);
        assertEquals(List.of("app"), strings(dns.path("names")), "every replica of the app service, found by DNS");
        assertEquals(9464, dns.path("port").asInt());
        assertEquals("/metrics", scrape.path("metrics_path").asText());
        List<String> volumes = strings(compose().path("services").path("prometheus").path("volumes"));
        assertTrue(volumes.contains("./grafana/prometheus.yml:/etc/prometheus/prometheus.yml:ro"), volumes.toString());
    }

    @Test
    void grafanaIsProvisionedOpenToViewersWithTheAdminPasswordFromTheEnvironment() throws IOException {
        JsonNode grafana = compose().path("services").path("grafana");
        JsonNode env = grafana.path("environment");
        assertEquals("true", env.path("GF_AUTH_ANONYMOUS_ENABLED").asText());
        assertEquals("Viewer", env.path("GF_AUTH_ANONYMOUS_ORG_ROLE").asText());
        assertTrue(env.path("GF_SECURITY_ADMIN_PASSWORD").asText().startsWith("${GRAFANA_ADMIN_PASSWORD"),
                "no password in the file");
        List<String> volumes = strings(grafana.path("volumes"));
        assertTrue(volumes.contains("./grafana/provisioning:/etc/grafana/provisioning:ro"), volumes.toString());
        assertTrue(volumes.contains("./grafana/dashboards:/var/lib/grafana/dashboards:ro"), volumes.toString());
        JsonNode provider = Dashboard.YAML.readTree(ROOT.resolve("grafana/provisioning/dashboards/epochflux.yml").toFile())
                .path("providers").get(0);
        assertEquals("/var/lib/grafana/dashboards", provider.path("options").path("path").asText());
        JsonNode ds = Dashboard.YAML.readTree(Dashboard.DATASOURCES.toFile()).path("datasources").get(0);
        assertEquals("http://prometheus:9090", ds.path("url").asText(), "the compose service's name and port");
    }

    @Test
    void theDockerfileBuildsTheJarAsTheReadmeDoesAndRunsItWithTheVectorApi() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher build = Pattern.compile("(mvn [^&\\n]*package)").matcher(readme);
        assertTrue(build.find(), "the README has a build command");
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("RUN " + build.group(1).trim() + "\n"),
                "the Dockerfile runs the README's build command: " + build.group(1));
        assertTrue(dockerfile.contains("COPY --from=build /src/target/epochflux.jar"));
        assertTrue(dockerfile.contains("\"--add-modules\", \"jdk.incubator.vector\""));
        assertTrue(dockerfile.contains("EXPOSE 9464"));
        List<String> cmd = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(dockerfile.substring(dockerfile.indexOf("CMD [")));
        while (m.find()) {
            cmd.add(m.group(1));
        }
        assertEquals(strings(compose().path("services").path("app").path("command")), cmd,
                "the image's default command is the compose service's");
        assertFalse(Files.readString(ROOT.resolve(".dockerignore")).contains("src"), "the sources reach the build");
    }
}
