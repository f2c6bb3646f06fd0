package io.epochflux.cli;

import io.epochflux.metrics.PrometheusEndpoint;
import io.epochflux.metrics.TrainingMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;

/** A Prometheus registry and its endpoint, for a command's runs. */
final class MetricsServer implements AutoCloseable {

    /**
     * The exporter logs a 27-line trace when a scraper resets the connection during a scrape; every
     * IOException it logs is about the client's socket (a reset, a broken pipe). The process is
     * the command line's, so its logging is too. Held here so that the filter is not lost when
     * {@code java.util.logging} lets go of the logger.
     */
    private static final Logger EXCHANGE_LOG = quietAboutScrapersThatLeave();

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PrometheusEndpoint endpoint;

    private MetricsServer(String bind, int port) throws IOException {
        this.endpoint = PrometheusEndpoint.start(registry, bind, port);
    }

    private static Logger quietAboutScrapersThatLeave() {
        Logger log = Logger.getLogger(PrometheusEndpoint.EXCHANGE_LOGGER);
        log.setFilter(record -> !(record.getThrown() instanceof IOException));
        return log;
    }

    static MetricsServer start(String bind, int port) throws IOException {
        return new MetricsServer(bind, port);
    }

    String url() {
        return endpoint.url();
    }

    int port() {
        return endpoint.port();
    }

    /** @return the registry, for commands that bind meters themselves (a sweep's trials) */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** Publishes one run; its meters stay while this server lives. */
    TrainingMetrics binder(RunPlan plan) {
        TrainingMetrics.Builder b = TrainingMetrics.builder(registry).run(plan.name()).retention(Duration.ofDays(3650));
        if (plan.rule() != null) {
            b.follow(plan.rule());
        }
        for (Map.Entry<String, String> e : plan.infoTags().entrySet()) {
            b.info(e.getKey(), e.getValue());
        }
        return b.build();
    }

    @Override
    public void close() {
        endpoint.close();
        registry.close();
    }
}
