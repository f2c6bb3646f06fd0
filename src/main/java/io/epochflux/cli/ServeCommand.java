package io.epochflux.cli;

import io.epochflux.server.EpochfluxServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;

/** {@code epochflux serve}: the training service and its live page, until Ctrl-C or SIGTERM. */
@Command(name = "serve", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Serve runs over HTTP: start, watch (Server-Sent Events) and stop them, /metrics for "
                + "Prometheus, and a live page at /.",
            "Bound to a non-loopback address it needs a bearer token in $" + EpochfluxServer.TOKEN_ENV + ".",
            "Runs live in memory: they do not survive a restart."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"1:failed at run time", "2:bad usage", "130:stopped by Ctrl-C (SIGINT)", "143:stopped by SIGTERM"})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address to bind (default: ${DEFAULT-VALUE}); any other than loopback needs $"
                    + EpochfluxServer.TOKEN_ENV + ".")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "The port; 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", paramLabel = "NAME=DIR",
            description = "Offer a directory of standard MNIST file names to runs under NAME (repeatable). "
                    + "The bundled sample is always offered as 'bundled'.")
    Map<String, Path> dataDirs = new LinkedHashMap<>();

    @Option(names = "--pool-threads", paramLabel = "N",
            description = "Threads that train (default: the available processors).")
    Integer poolThreads;

    @Option(names = "--max-epochs", paramLabel = "N", defaultValue = "10000",
            description = "The most epochs a run may ask for (default: ${DEFAULT-VALUE}).")
    int maxEpochs;

    @Option(names = "--max-layer-width", paramLabel = "N", defaultValue = "1024",
            description = "The widest hidden layer a run may ask for (default: ${DEFAULT-VALUE}).")
    int maxLayerWidth;

    @Option(names = "--max-layers", paramLabel = "N", defaultValue = "8",
            description = "The most hidden layers a run may ask for (default: ${DEFAULT-VALUE}).")
    int maxLayers;

    @Option(names = "--max-train-size", paramLabel = "N", defaultValue = "60000",
            description = "The most training examples a run may ask for (default: ${DEFAULT-VALUE}).")
    int maxTrainSize;

    @Option(names = "--max-val-size", paramLabel = "N", defaultValue = "10000",
            description = "The most validation examples a run may ask for (default: ${DEFAULT-VALUE}).")
    int maxValSize;

    @Option(names = "--max-runs", paramLabel = "N", defaultValue = "8",
            description = "Runs training at once; more are refused with 429 (default: ${DEFAULT-VALUE}).")
    int maxRuns;

    @Option(names = "--max-sse-clients", paramLabel = "N", defaultValue = "64",
            description = "Event streams open at once; more are refused with 429 (default: ${DEFAULT-VALUE}).")
    int maxSseClients;

    @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "16384",
            description = "The largest request body; larger is refused with 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(names = "--retention", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1h",
            description = "How long a finished run stays listed (default: ${DEFAULT-VALUE}).")
    Duration retention;

    @Option(names = "--viewer-buffer", paramLabel = "N", defaultValue = "256",
            description = "Live epochs an event stream may fall behind before it is dropped (default: ${DEFAULT-VALUE}).")
    int viewerBuffer;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        EpochfluxServer.Builder b = EpochfluxServer.builder().host(host).retention(retention);
        String token = System.getenv(EpochfluxServer.TOKEN_ENV);
        try {
            b.port(port).viewerBuffer(viewerBuffer)
                    .requestLimits(maxEpochs, maxLayerWidth, maxLayers, maxTrainSize, maxValSize)
                    .serverLimits(maxRuns, maxSseClients, maxBodyBytes);
            if (poolThreads != null) {
                b.poolThreads(poolThreads);
            }
            if (token != null && !token.isEmpty()) {
                b.token(token);
            }
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--" + e.getMessage());
        }
        for (Map.Entry<String, Path> d : dataDirs.entrySet()) {
            if (!Files.isDirectory(d.getValue())) {
                throw Usage.error(spec, "--data-dir " + d.getKey() + "=DIR must name an existing directory, but "
                        + d.getValue() + " is not one");
            }
            try {
                b.dataDir(d.getKey(), d.getValue());
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--data-dir " + e.getMessage());
            }
        }
        CompletableFuture<Integer> stop = new CompletableFuture<>();
        // the signal's own code, so that a supervisor sees how the service ended (130 or 143)
        Signal.handle(new Signal("INT"), s -> stop.complete(130));
        Signal.handle(new Signal("TERM"), s -> stop.complete(143));
        EpochfluxServer server;
        try {
            server = b.start();
        } catch (IllegalStateException e) {
            throw Usage.error(spec, e.getMessage());
        }
        out.println("Serving at " + server.url() + " (metrics at " + server.url() + "metrics)"
                + (token != null && !token.isEmpty() ? "; starting and cancelling runs needs the bearer token" : ""));
        out.flush();
        int code = stop.get();
        int active = server.registry().active();
        server.shutdown(Duration.ofSeconds(5));
        out.println("Stopped" + (active > 0 ? ": cancelled " + active + (active == 1 ? " run" : " runs") : ""));
        out.flush();
        return code;
    }
}
