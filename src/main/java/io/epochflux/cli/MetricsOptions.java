package io.epochflux.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The Prometheus endpoint and the pacing that makes short epochs watchable. */
final class MetricsOptions {

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://BIND:PORT/metrics while training (default: off).")
    Integer port;

    @Option(names = "--metrics-bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address the metrics endpoint binds to; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--linger", description = "Keep serving metrics after training until Ctrl-C, so the final state can be scraped.")
    boolean linger;

    @Option(names = "--min-epoch-duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Pace training to at most one epoch per DURATION (such as 200ms), through demand, so that "
                    + "Prometheus, scraping every few seconds, sees the curves move (default: no pacing).")
    Duration minEpochDuration;

    void check(CommandSpec spec) {
        if (port != null && (port < 0 || port > 65_535)) {
            throw Usage.error(spec, "--metrics-port must be in 0..65535, but was " + port);
        }
        if (linger && port == null) {
            throw Usage.error(spec, "--linger keeps the metrics endpoint up, but there is none: add --metrics-port");
        }
        if (minEpochDuration != null && minEpochDuration.isNegative()) {
            throw Usage.error(spec, "--min-epoch-duration must not be negative, but was " + minEpochDuration);
        }
    }
}
