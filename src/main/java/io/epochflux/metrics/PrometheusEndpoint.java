package io.epochflux.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;

import java.io.IOException;
import java.net.BindException;
import java.util.Objects;

/**
 * A Prometheus scrape endpoint without a web framework: {@code GET /metrics} on its own small
 * HTTP server (Prometheus' own exporter), serving the text format or OpenMetrics as the scraper
 * asks. It binds to loopback unless told otherwise. Scrapes run on the server's threads and read
 * gauges without locking, so they never stall training. Only {@code GET} and {@code HEAD} are
 * answered; any other method gets {@code 405 Method Not Allowed} with {@code Allow: GET, HEAD}.
 *
 * <p>A scraper that hangs up mid-response makes the exporter log the {@code IOException}, with its
 * trace, through {@code java.util.logging} (logger {@value #EXCHANGE_LOGGER}). The endpoint leaves
 * that to the application's logging configuration: a filter set here would change a logger every
 * user of the exporter in the JVM shares. The command line, which owns its process, filters them.
 */
public final class PrometheusEndpoint implements AutoCloseable {

    /** The exporter's logger for failed exchanges, a scraper's reset among them. */
    public static final String EXCHANGE_LOGGER = "io.prometheus.metrics.exporter.httpserver.HttpExchangeAdapter";

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
                    .authenticator(new ReadOnly())
                    .buildAndStart();
            return new PrometheusEndpoint(server, host);
        } catch (BindException e) {
            throw new BindException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage());
        }
    }

    /** Refuses every method but GET and HEAD before the exporter sees the request. */
    private static final class ReadOnly extends Authenticator {
        private static final HttpPrincipal ANYONE = new HttpPrincipal("anyone", "metrics");

        @Override
        public Result authenticate(HttpExchange exchange) {
            String method = exchange.getRequestMethod();
            if ("GET".equals(method) || "HEAD".equals(method)) {
                return new Success(ANYONE);
            }
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            return new Failure(405);
        }
    }

    /** @return the port it listens on (the one chosen, when 0 was asked for) */
    public int port() {
        return server.getPort();
    }

    /** @return the scrape URL, such as {@code http://127.0.0.1:9464/metrics} */
    public String url() {
        String h = host;
        if (everyInterface(host)) {
            h = "localhost";
        } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            h = "[" + host + "]"; // an IPv6 literal needs brackets in a URL (RFC 3986)
        }
        return "http://" + h + ":" + port() + "/metrics";
    }

    /**
     * Tells whether an address means every interface of the machine ({@code 0.0.0.0}, {@code ::}).
     *
     * @param host an address as given to {@link #start}
     * @return whether binding it exposes the endpoint beyond this machine's loopback
     */
    public static boolean everyInterface(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
    }

    /** Stops serving. */
    @Override
    public void close() {
        server.close();
    }
}
