package io.epochflux.cli;

import io.epochflux.internal.Format;
import io.epochflux.metrics.PrometheusEndpoint;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
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
            description = "Pace training to at most one epoch per DURATION (such as 200ms, at most 1h), through demand, so that "
                    + "Prometheus, scraping every few seconds, sees the curves move (default: no pacing).")
    Duration minEpochDuration;

    /** Pacing longer than this is surely a typo (an hour an epoch), so it is refused. */
    static final Duration MAX_PACING = Duration.ofHours(1);

    void check(CommandSpec spec) {
        if (port != null && (port < 0 || port > 65_535)) {
            throw Usage.error(spec, "--metrics-port must be in 0..65535, but was " + port);
        }
        if (linger && port == null) {
            throw Usage.error(spec, "--linger keeps the metrics endpoint up, but there is none: add --metrics-port");
        }
        if (minEpochDuration != null && (minEpochDuration.isNegative() || minEpochDuration.compareTo(MAX_PACING) > 0)) {
            throw Usage.error(spec, "--min-epoch-duration must be >= 0 and <= " + Format.human(MAX_PACING) + ", but was "
                    + Format.human(minEpochDuration));
        }
        if (port != null) {
            checkBind(spec);
        }
    }

    /** Resolves {@code --metrics-bind} now, so that a bad host is a usage error naming the option. */
    private void checkBind(CommandSpec spec) {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1)
                    : bind);
        } catch (UnknownHostException e) {
            throw Usage.error(spec, "--metrics-bind must be an address or host name of this machine, but was " + bind
                    + " (unknown host)");
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
            return;
        }
        boolean local;
        try {
            local = NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            local = true; // cannot tell: let the bind itself decide and report
        }
        if (!local) {
            throw Usage.error(spec, "--metrics-bind must be an address or host name of this machine, but was " + bind
                    + " (" + address.getHostAddress() + " is on none of its network interfaces)");
        }
    }

    /** Prints a one-line warning when the endpoint will be reachable from other machines. */
    void warn(CommandSpec spec, PrintWriter err) {
        if (port != null && PrometheusEndpoint.everyInterface(bind)) {
            err.println(spec.qualifiedName() + ": warning: --metrics-bind " + bind
                    + " serves the metrics on every network interface, to anyone who can reach this machine");
            err.flush();
        }
    }
}
