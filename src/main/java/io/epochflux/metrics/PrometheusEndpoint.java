package io.epochflux.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;

import java.io.IOException;
import java.net.BindException;
import java.util.Objects;

/**
 * A Prometheus scrape endpoint without a web framework: {@code GET /metrics} on its own small
 * HTTP server (Prometheus' own exporter), serving the text format or OpenMetrics as the scraper
 * asks. It binds to loopback unless told otherwise. Scrapes run on the server's threads and read
 * gauges without locking, so they never stall training.
 */
public final class PrometheusEndpoint implements AutoCloseable {

    /** The address the endpoint binds to unless told otherwise. */
    public static final String LOOPBACK = "127.0.0.1";

    private final HTTPServer server;
    private final String host;

    private PrometheusEndpoint(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /**
     * Starts serving a registry.
     *
     * @param registry the meters to serve
     * @param host the address to bind, such as {@value #LOOPBACK} or {@code 0.0.0.0}
     * @param port the port, or 0 for any free port
     * @return the running endpoint
     * @throws IOException when the address cannot be bound; the message names it
     */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, String host, int port) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535, but was " + port);
        }
        try {
            HTTPServer server = HTTPServer.builder()
                    .hostname(host)
                    .port(port)
                    .registry(registry.getPrometheusRegistry())
                    .buildAndStart();
            return new PrometheusEndpoint(server, host);
        } catch (BindException e) {
            throw new BindException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage());
        }
    }

    /** @return the port it listens on (the one chosen, when 0 was asked for) */
    public int port() {
        return server.getPort();
    }

    /** @return the scrape URL, such as {@code http://127.0.0.1:9464/metrics} */
    public String url() {
        String h = host.equals("0.0.0.0") ? "localhost" : host;
        return "http://" + h + ":" + port() + "/metrics";
    }

    /** Stops serving. */
    @Override
    public void close() {
        server.close();
    }
}
