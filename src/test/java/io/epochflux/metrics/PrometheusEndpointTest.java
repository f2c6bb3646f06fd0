package io.epochflux.metrics;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.train.Trainer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusEndpointTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient http = HttpClient.newHttpClient();
    private PrometheusEndpoint endpoint;

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private HttpResponse<String> get(String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.url()));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheTextFormatWithItsContentTypeOnLoopback() throws Exception {
        registry.counter("epochflux.epochs", "run", "r").increment(3);
        endpoint = PrometheusEndpoint.start(registry, PrometheusEndpoint.LOOPBACK, 0);
        assertTrue(endpoint.url().startsWith("http://127.0.0.1:"), endpoint.url());
        HttpResponse<String> r = get(null);
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(r.body().contains("epochflux_epochs_total{run=\"r\"} 3.0"), r.body());
        HttpResponse<String> open = get("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertTrue(open.headers().firstValue("Content-Type").orElseThrow().startsWith("application/openmetrics-text"));
        assertTrue(open.body().endsWith("# EOF\n"), open.body());
    }

    @Test
    void answersOnlyGetAndHeadAndRefusesOtherMethodsWith405() throws Exception {
        endpoint = PrometheusEndpoint.start(registry, PrometheusEndpoint.LOOPBACK, 0);
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint.url()))
                    .method(method, HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode(), method);
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""), method);
        }
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(endpoint.url()))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals(200, get(null).statusCode());
    }

    @Test
    void bracketsAnIpv6AddressInItsUrl() throws Exception {
        try {
            endpoint = PrometheusEndpoint.start(registry, "::1", 0);
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
        }
        assertEquals("http://[::1]:" + endpoint.port() + "/metrics", endpoint.url());
        assertEquals(200, get(null).statusCode(), "the URL it prints works");
        assertTrue(PrometheusEndpoint.everyInterface("0.0.0.0") && PrometheusEndpoint.everyInterface("::")
                && !PrometheusEndpoint.everyInterface("127.0.0.1"));
    }

    @Test
    void leavesTheExportersLoggerToTheApplication() throws Exception {
        assertEquals(io.prometheus.metrics.exporter.httpserver.HttpExchangeAdapter.class.getName(),
                PrometheusEndpoint.EXCHANGE_LOGGER, "the logger the documentation names is the exporter's");
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(PrometheusEndpoint.EXCHANGE_LOGGER);
        java.util.logging.Filter before = log.getFilter();
        endpoint = PrometheusEndpoint.start(registry, PrometheusEndpoint.LOOPBACK, 0);
        assertEquals(before, log.getFilter(), "a library sets no filter on a logger the whole JVM shares");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", endpoint.port())) {
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            s.getInputStream().read();
            s.setSoLinger(true, 0); // a reset, as a scraper that times out sends
        }
        assertEquals(200, get(null).statusCode(), "still serving after a scraper hung up");
    }

    @Test
    void refusesAPortInUseNamingIt() throws IOException {
        endpoint = PrometheusEndpoint.start(registry, PrometheusEndpoint.LOOPBACK, 0);
        BindException e = assertThrows(BindException.class,
                () -> PrometheusEndpoint.start(registry, PrometheusEndpoint.LOOPBACK, endpoint.port()));
        assertTrue(e.getMessage().contains("127.0.0.1:" + endpoint.port()), e.getMessage());
        assertEquals("port must be in 0..65535, but was 70000", assertThrows(IllegalArgumentException.class,
                () -> PrometheusEndpoint.start(registry, "127.0.0.1", 70000)).getMessage());
    }

    @Test
    void servesScrapesWhileTrainingRuns() throws Exception {
        endpoint = PrometheusEndpoint.start(registry, PrometheusEndpoint.LOOPBACK, 0);
        Split split = TestData.seedSplit();
        Sequential model = Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
        Disposable run = Trainer.builder().epochs(100_000).batchSize(10).optimizer(Optimizer.sgd(0.01)).build()
                .fit(model, split.train(), split.validation())
                .transform(TrainingMetrics.builder(registry).run("live").build())
                .subscribe();
        try {
            Pattern epoch = Pattern.compile("epochflux_epoch\\{run=\"live\",sweep=\"\"} ([0-9.E]+)");
            List<Double> seen = new ArrayList<>();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (seen.size() < 5 && System.nanoTime() < deadline) {
                HttpResponse<String> r = get(null);
                assertEquals(200, r.statusCode());
                Matcher m = epoch.matcher(r.body());
                if (m.find() && !m.group(1).equals("NaN")) {
                    double value = Double.parseDouble(m.group(1));
                    if (seen.isEmpty() || value > seen.get(seen.size() - 1)) {
                        seen.add(value);
                    }
                }
                Thread.sleep(20);
            }
            assertEquals(5, seen.size(), "the epoch gauge moved between scrapes while training ran: " + seen);
        } finally {
            run.dispose();
        }
    }
}
