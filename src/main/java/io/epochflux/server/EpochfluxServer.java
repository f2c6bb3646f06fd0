package io.epochflux.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.nn.Sequential;
import io.epochflux.report.HistoryCsv;
import io.epochflux.runs.RunEvent;
import io.epochflux.runs.RunHandle;
import io.epochflux.runs.RunRegistry;
import io.epochflux.stop.StopRule;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingPool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.WriteTimeoutHandler;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reactive training service: runs over HTTP/JSON, their epochs as Server-Sent Events, the
 * Prometheus endpoint and the live page, on Reactor Netty.
 *
 * <pre>
 *   POST   /runs                 start a run (JSON settings)       201 + Location
 *   GET    /runs                 list runs                         200
 *   GET    /runs/{id}            one run, its stop report          200
 *   GET    /runs/{id}/epochs     SSE: epochs so far, live, stop, end
 *   DELETE /runs/{id}            cancel                            200 once it has stopped
 *   GET    /runs/{id}/history.csv, /runs/{id}/model               downloads
 *   POST   /sweeps               start a sweep (JSON alternatives)  201 + Location
 *   GET    /sweeps               list sweeps                       200
 *   GET    /sweeps/{id}          one sweep, its trials, the best   200
 *   GET    /sweeps/{id}/events   SSE: started, epoch, pruned, finished per trial, then end
 *   DELETE /sweeps/{id}          cancel                            200
 *   GET    /metrics              Prometheus text format
 *   GET    /server               data set names, limits, whether a token is needed
 *   GET    /                     the live page
 * </pre>
 *
 * <p>Training runs on a pool the server owns ({@link Builder#poolThreads}), never on an event
 * loop; data loading, model saving and scrapes run on {@code Schedulers.boundedElastic()}; the
 * handlers never block. Runs live in memory only: they do not survive a restart.
 *
 * <p>Security: bound to a non-loopback address the server refuses to start without a bearer
 * token, and then asks for it on every request that starts or cancels runs. On loopback, with or
 * without a token, a request whose {@code Host} or {@code Origin} is not the server's own is
 * refused (DNS rebinding and cross-site requests). The token travels in clear: put a TLS proxy in front.
 */
public final class EpochfluxServer implements AutoCloseable {

    /** The port the server listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 8080;
    /** The environment variable the {@code serve} command reads the token from. */
    public static final String TOKEN_ENV = "EPOCHFLUX_TOKEN";

    private static final String JSON = "application/json";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Builder config;
    private final Limits limits;
    private final ObjectMapper mapper = new ObjectMapper();
    private final PrometheusMeterRegistry meters;
    private final Scheduler pool;
    private final RunRegistry registry;
    private final DataSets data;
    private final StaticFiles files = new StaticFiles();
    private final LoopResources loops;
    private final AtomicInteger activeRuns = new AtomicInteger();
    private final AtomicInteger sseClients = new AtomicInteger();
    private final Map<String, ServedRun> runs = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, ServedSweep> sweeps = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicInteger sweepIds = new AtomicInteger();
    private final Sinks.Empty<Void> closing = Sinks.empty();
    private volatile boolean closed;
    private volatile Set<String> ownHosts = Set.of();
    private DisposableServer server;

    private EpochfluxServer(Builder b) {
        this.config = b;
        this.limits = new Limits(b.maxEpochs, b.maxLayerWidth, b.maxLayers, b.maxTrainSize, b.maxValSize,
                b.maxConcurrentRuns, b.maxSseClients, b.maxBodyBytes);
        this.meters = b.meters != null ? b.meters : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.pool = TrainingPool.create("epochflux-serve", b.poolThreads);
        this.registry = RunRegistry.create(b.retention, Schedulers.parallel());
        this.data = new DataSets(b.dataDirs);
        this.loops = LoopResources.create("epochflux-http", b.eventLoops, true);
    }

    /**
     * Starts describing a server with the defaults: 127.0.0.1:{@value #DEFAULT_PORT}, no token,
     * the bundled data set only, a training pool of the available processors.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    private EpochfluxServer bind() {
        HttpServer http = HttpServer.create().host(config.host).port(config.port).runOn(loops)
                .handle(this::handle);
        if (config.socketSendBuffer > 0) {
            http = http.childOption(ChannelOption.SO_SNDBUF, config.socketSendBuffer);
        }
        // the first JSON write loads Jackson's serializers: do it here rather than on an event loop
        try {
            mapper.writeValueAsString(Map.of("warm", List.of(1.0, "x")));
            mapper.writeValueAsString(EpochMetrics.of(1, Map.of("loss", 1.0)));
            mapper.readTree("{\"a\":[1,2.5,true,null,\"x\"]}");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        server = http.bindNow();
        int port = ((InetSocketAddress) server.address()).getPort();
        ownHosts = new java.util.HashSet<>(List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port,
                config.host.toLowerCase(Locale.ROOT) + ":" + port));
        return this;
    }

    /** @return the port the server listens on (the one chosen, when 0 was asked for) */
    public int port() {
        return ((InetSocketAddress) server.address()).getPort();
    }

    /** @return the live page's address, such as {@code http://127.0.0.1:8080/} */
    public String url() {
        String h = config.host.equals("0.0.0.0") ? "localhost" : config.host.contains(":") ? "[" + config.host + "]" : config.host;
        return "http://" + h + ":" + port() + "/";
    }

    /** @return the server's runs, by id */
    public RunRegistry registry() {
        return registry;
    }

    /** @return the registry every run's meters are in, served at {@code /metrics} */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** @return the number of event streams open now */
    public int eventStreams() {
        return sseClients.get();
    }

    /**
     * Shuts down: refuses new runs, cancels every run, lets each event stream send its final
     * events, then stops listening. Blocks the calling thread up to about {@code grace} (never call
     * it on an event loop).
     *
     * @param grace how long to wait for runs to stop and streams to end
     */
    public void shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        registry.cancelAll();
        List.copyOf(sweeps.values()).forEach(ServedSweep::cancel);
        try {
            Flux.fromIterable(runs.values()).flatMap(r -> r.handle().outcome()).then().block(grace);
        } catch (RuntimeException timedOut) {
            // runs that did not stop in time are abandoned with the process
        }
        while (sseClients.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closing.tryEmitEmpty();
        server.disposeNow(Duration.ofSeconds(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L)));
        loops.disposeLater().block(Duration.ofSeconds(5));
        pool.dispose();
    }

    /** Shuts down with a grace of ten seconds; see {@link #shutdown(Duration)}. */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }

    // ---------------------------------------------------------------- routing

    private Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
        try {
            return route(req, res).onErrorResume(e -> error(res, e instanceof HttpError h ? h : unexpected(e)));
        } catch (HttpError e) {
            return error(res, e);
        } catch (RunRequest.InvalidField e) {
            return error(res, HttpError.of(e));
        } catch (RuntimeException e) {
            return error(res, unexpected(e));
        } catch (Error e) {
            // an Error thrown while routing (BlockHound's, say) left the request without an answer
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            return error(res, unexpected(e));
        }
    }

    /** Anything else is the server's fault: 500 with what failed, never a stack trace. */
    private static HttpError unexpected(Throwable e) {
        return new HttpError(500, "the server failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }

    private Mono<Void> route(HttpServerRequest req, HttpServerResponse res) {
        checkHostAndOrigin(req);
        String path = new QueryStringDecoder(req.uri()).path();
        HttpMethod method = req.method();
        List<String> parts = new ArrayList<>(List.of(path.split("/")));
        parts.removeIf(String::isEmpty);
        if (parts.size() >= 1 && parts.get(0).equals("runs")) {
            if (parts.size() == 1) {
                if (method.equals(HttpMethod.POST)) {
                    checkToken(req);
                    return startRun(req, res);
                }
                allow(method, "GET, POST");
                return json(res, 200, listRuns());
            }
            ServedRun run = find(parts.get(1));
            if (parts.size() == 2) {
                if (method.equals(HttpMethod.DELETE)) {
                    checkToken(req);
                    return cancel(run, res);
                }
                allow(method, "GET, DELETE");
                return json(res, 200, run.detail());
            }
            if (parts.size() == 3) {
                allow(method, "GET");
                switch (parts.get(2)) {
                    case "epochs": return events(run, req, res);
                    case "history.csv": return historyCsv(run, res);
                    case "model": return model(run, res);
                    default: break;
                }
            }
            throw new HttpError(404, "no such resource: " + path);
        }
        if (parts.size() >= 1 && parts.get(0).equals("sweeps")) {
            return routeSweeps(req, res, method, parts, path);
        }
        if (path.equals("/metrics")) {
            allow(method, "GET");
            return Mono.fromCallable(meters::scrape).subscribeOn(Schedulers.boundedElastic())
                    .flatMap(text -> res.status(200).header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT)
                            .sendString(Mono.just(text)).then());
        }
        if (path.equals("/server")) {
            allow(method, "GET");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data", data.names());
            m.put("limits", limits.describe());
            m.put("tokenRequired", config.token != null);
            m.put("defaults", RunRequest.defaults().describe());
            return json(res, 200, m);
        }
        Optional<StaticFiles.File> file = files.get(path);
        if (file.isPresent()) {
            allow(method, "GET");
            return res.status(200).header(HttpHeaderNames.CONTENT_TYPE, file.get().contentType())
                    .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                    .header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
                    .sendByteArray(Mono.just(file.get().bytes())).then();
        }
        throw new HttpError(404, "no such resource: " + path);
    }

    private static void allow(HttpMethod method, String allowed) {
        if (!List.of(allowed.split(", ")).contains(method.name())) {
            throw new HttpError(405, "method must be one of " + allowed + " here, but was " + method.name());
        }
    }

    private ServedRun find(String id) {
        ServedRun run = runs.get(id);
        if (run == null || registry.get(id).isEmpty()) {
            runs.remove(id);
            throw new HttpError(404, "no run " + id + ": it never was, or it ended more than "
                    + registry.retention() + " ago");
        }
        return run;
    }

    // ---------------------------------------------------------------- security

    private void checkHostAndOrigin(HttpServerRequest req) {
        // on loopback the checks hold with a token too: a token set for the API must not open the
        // reads to a rebinding name or another site's page
        if (!isLoopback(config.host)) {
            return;
        }
        String host = req.requestHeaders().get(HttpHeaderNames.HOST);
        if (host == null || !ownHosts.contains(host.toLowerCase(Locale.ROOT))) {
            throw new HttpError(403, "Host must be this server's own (" + String.join(", ", ownHosts.stream().sorted().toList())
                    + "), but was " + host + ": a loopback server refuses other names (DNS rebinding)");
        }
        String origin = req.requestHeaders().get(HttpHeaderNames.ORIGIN);
        if (origin != null) {
            String o = origin.toLowerCase(Locale.ROOT);
            if (!o.startsWith("http://") || !ownHosts.contains(o.substring("http://".length()))) {
                throw new HttpError(403, "Origin must be this server's own page, but was " + origin
                        + ": a loopback server refuses cross-site requests");
            }
        }
    }

    private void checkToken(HttpServerRequest req) {
        if (closed) {
            throw new HttpError(503, "the server is shutting down");
        }
        if (config.token == null) {
            return;
        }
        String auth = req.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        String expected = "Bearer " + config.token;
        if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            throw new HttpError(401, auth == null ? "Authorization must be a bearer token to start or cancel runs, but was absent"
                    : "Authorization must be the server's bearer token, but was another");
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- runs

    private Mono<Void> startRun(HttpServerRequest req, HttpServerResponse res) {
        return jsonBody(req)
                .map(json -> {
                    try {
                        RunRequest r = RunRequest.fromJson(json);
                        limits.check(r);
                        if (!data.has(r.data())) {
                            throw new RunRequest.InvalidField("data", r.data(), "one of " + String.join(", ", data.names()));
                        }
                        return r;
                    } catch (RunRequest.InvalidField e) {
                        throw HttpError.of(e);
                    }
                })
                .flatMap(this::launch)
                .flatMap(run -> res.status(201).header(HttpHeaderNames.LOCATION, "/runs/" + run.id())
                        .header(HttpHeaderNames.CONTENT_TYPE, JSON).sendString(Mono.just(write(run.summary()))).then());
    }

    /** Checks the type and size of a request body and reads it as JSON; anything else is 4xx. */
    private Mono<JsonNode> jsonBody(HttpServerRequest req) {
        String type = req.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(JSON)) {
            throw new HttpError(415, "Content-Type must be application/json, but was " + type);
        }
        String length = req.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 18
                && Long.parseLong(length) > limits.maxBodyBytes()) {
            throw new HttpError(413, "the body must be at most " + limits.maxBodyBytes() + " bytes, but was " + length);
        }
        return body(req).map(bytes -> {
            JsonNode json;
            try {
                json = mapper.readTree(bytes);
            } catch (java.io.IOException e) {
                throw new HttpError(400, "the body must be a JSON object, but is malformed: "
                        + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
            }
            if (json == null || json.isMissingNode()) {
                throw new HttpError(400, "the body must be a JSON object, but was empty");
            }
            return json;
        });
    }

    private Mono<byte[]> body(HttpServerRequest req) {
        int max = limits.maxBodyBytes();
        return req.receive().asByteArray()
                .reduce(new ByteArrayOutputStream(), (all, chunk) -> {
                    if (all.size() + chunk.length > max) {
                        throw new HttpError(413, "the body must be at most " + max + " bytes, but was more");
                    }
                    all.write(chunk, 0, chunk.length);
                    return all;
                })
                .map(ByteArrayOutputStream::toByteArray);
    }

    private Mono<ServedRun> launch(RunRequest r) {
        if (activeRuns.incrementAndGet() > limits.maxConcurrentRuns()) {
            activeRuns.decrementAndGet();
            return Mono.error(new HttpError(429, "runs must be at most " + limits.maxConcurrentRuns()
                    + " at once (the server's --max-runs), but that many are running: wait for one to end or cancel one"));
        }
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        return data.split(r)
                .map(split -> {
                    Sequential model = r.buildModel(split.train().featureCount(), split.train().labelCount());
                    Trainer trainer = r.buildTrainer(pool);
                    StopRule rule = r.buildRule();
                    ServedRun[] made = new ServedRun[1];
                    registry.start(id -> {
                        String name = r.name() != null ? r.name() : "run-" + id;
                        TrainingMetrics.Builder metrics = TrainingMetrics.builder(meters).run(name)
                                .retention(registry.retention());
                        if (rule != null) {
                            metrics.follow(rule);
                        }
                        TrainingMetrics binder = metrics.build();
                        RunHandle handle = RunHandle.builder(trainer.run(model, split.train(), split.validation()))
                                .viewerBuffer(config.viewerBuffer)
                                .pipeline(f -> (rule == null ? f : f.transform(rule)).transform(binder))
                                .start();
                        made[0] = new ServedRun(id, name, r, handle, model);
                        runs.put(id, made[0]);
                        handle.outcome().subscribe(o -> activeRuns.decrementAndGet());
                        return handle;
                    });
                    started.set(true);
                    return made[0];
                })
                .onErrorMap(RunRequest.InvalidField.class, HttpError::of)
                // a failed or abandoned launch (the client went away) gives its slot back; a started
                // run gives it back when it ends
                .doFinally(signal -> {
                    if (!started.get()) {
                        activeRuns.decrementAndGet();
                    }
                });
    }

    private Map<String, Object> listRuns() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (String id : registry.list().keySet()) {
            ServedRun run = runs.get(id);
            if (run != null) {
                list.add(run.summary());
            }
        }
        runs.keySet().removeIf(id -> registry.get(id).isEmpty());
        m.put("runs", list);
        return m;
    }

    private Mono<Void> cancel(ServedRun run, HttpServerResponse res) {
        run.handle().cancel();
        return run.handle().outcome().timeout(Duration.ofSeconds(10), Mono.empty())
                .then(Mono.defer(() -> json(res, 200, run.detail())));
    }

    // ---------------------------------------------------------------- sweeps

    /** The most sweeps kept (each replays up to {@value ServedSweep#REPLAY} events): past it, the oldest ended one is forgotten. */
    static final int MAX_SWEEPS_KEPT = 20;

    private Mono<Void> routeSweeps(HttpServerRequest req, HttpServerResponse res, HttpMethod method, List<String> parts,
                                   String path) {
        if (parts.size() == 1) {
            if (method.equals(HttpMethod.POST)) {
                checkToken(req);
                return startSweep(req, res);
            }
            allow(method, "GET, POST");
            List<Map<String, Object>> list = new ArrayList<>();
            synchronized (sweeps) {
                sweeps.values().forEach(s -> list.add(s.summary()));
            }
            return json(res, 200, Map.of("sweeps", list));
        }
        ServedSweep sweep = sweeps.get(parts.get(1));
        if (sweep == null) {
            throw new HttpError(404, "no sweep " + parts.get(1) + ": it never was, or it was forgotten");
        }
        if (parts.size() == 2) {
            if (method.equals(HttpMethod.DELETE)) {
                checkToken(req);
                sweep.cancel();
                return json(res, 200, sweep.detail());
            }
            allow(method, "GET, DELETE");
            return json(res, 200, sweep.detail());
        }
        if (parts.size() == 3 && parts.get(2).equals("events")) {
            allow(method, "GET");
            return sweepEvents(sweep, res);
        }
        throw new HttpError(404, "no such resource: " + path);
    }

    private Mono<Void> startSweep(HttpServerRequest req, HttpServerResponse res) {
        return jsonBody(req)
                .map(json -> {
                    try {
                        SweepRequest r = SweepRequest.fromJson(json, limits);
                        if (!data.has(r.data().data())) {
                            throw new RunRequest.InvalidField("data", r.data().data(), "one of " + String.join(", ", data.names()));
                        }
                        return r;
                    } catch (RunRequest.InvalidField e) {
                        throw HttpError.of(e);
                    } catch (IllegalArgumentException e) {
                        throw new HttpError(400, e.getMessage());
                    }
                })
                .flatMap(this::launchSweep)
                .flatMap(s -> res.status(201).header(HttpHeaderNames.LOCATION, "/sweeps/" + s.id())
                        .header(HttpHeaderNames.CONTENT_TYPE, JSON)
                        .sendString(Mono.just(write(Map.of("id", s.id(), "state", s.state())))).then());
    }

    /** A sweep counts as one run against --max-runs while it trains (its trials share the server's pool). */
    private Mono<ServedSweep> launchSweep(SweepRequest r) {
        if (activeRuns.incrementAndGet() > limits.maxConcurrentRuns()) {
            activeRuns.decrementAndGet();
            return Mono.error(new HttpError(429, "runs and sweeps must be at most " + limits.maxConcurrentRuns()
                    + " at once (the server's --max-runs), but that many are running: wait for one to end or cancel one"));
        }
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        return data.split(r.data())
                .map(split -> {
                    String id = "s" + sweepIds.incrementAndGet();
                    io.epochflux.sweep.Sweep.Builder b = io.epochflux.sweep.Sweep.builder(r.configs(), split.train(),
                                    split.validation())
                            .name("sweep-" + id).pruner(r.pruner()).concurrency(r.concurrency()).epochs(r.epochs())
                            .seed(r.seed()).scheduler(pool);
                    ServedSweep s = new ServedSweep(id, r, b.build());
                    synchronized (sweeps) {
                        sweeps.put(id, s);
                        if (sweeps.size() > MAX_SWEEPS_KEPT) {
                            sweeps.values().stream().filter(x -> !x.state().equals("running")).findFirst()
                                    .ifPresent(x -> sweeps.remove(x.id()));
                        }
                    }
                    started.set(true);
                    s.start(activeRuns::decrementAndGet);
                    return s;
                })
                .onErrorMap(RunRequest.InvalidField.class, HttpError::of)
                .doFinally(signal -> {
                    if (!started.get()) {
                        activeRuns.decrementAndGet();
                    }
                });
    }

    private Mono<Void> sweepEvents(ServedSweep sweep, HttpServerResponse res) {
        return eventStream(res, Flux.concat(sweep.events().map(this::sse),
                Mono.fromSupplier(() -> "event: end\ndata: " + write(Map.of("state", sweep.state())) + "\n\n")));
    }

    private String sse(io.epochflux.sweep.TrialEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trial", e.trial().name());
        switch (e.kind()) {
            case STARTED -> m.put("config", e.trial().config().describe());
            case EPOCH -> m.put("epoch", e.epoch().orElseThrow());
            case PRUNED -> m.put("rung", e.rung().orElse(-1));
            case FINISHED -> {
                io.epochflux.sweep.TrialResult r = e.result().orElseThrow();
                m.put("epochs", r.epochs());
                m.put("bestValLoss", Double.isNaN(r.bestValLoss()) ? null : r.bestValLoss());
                m.put("bestEpoch", r.bestEpoch().isPresent() ? r.bestEpoch().getAsInt() : null);
                m.put("prunedAtRung", r.prunedAtRung().isPresent() ? r.prunedAtRung().getAsInt() : null);
            }
            default -> { }
        }
        return "event: " + e.kind().name().toLowerCase(Locale.ROOT) + "\ndata: " + write(m) + "\n\n";
    }

    // ---------------------------------------------------------------- streams

    private Mono<Void> events(ServedRun run, HttpServerRequest req, HttpServerResponse res) {
        String last = req.requestHeaders().get("Last-Event-ID");
        if (last == null) {
            List<String> q = new QueryStringDecoder(req.uri()).parameters().get("lastEventId");
            last = q == null || q.isEmpty() ? null : q.get(0);
        }
        int after = 0;
        if (last != null && !last.isBlank()) {
            try {
                after = Integer.parseInt(last.trim());
            } catch (NumberFormatException e) {
                after = -1;
            }
            if (after < 0) {
                throw new HttpError(400, "Last-Event-ID must be an epoch number >= 0, but was " + last,
                        "Last-Event-ID", last, "an epoch number >= 0");
            }
        }
        return eventStream(res, run.handle().watch(after).map(e -> sse(run, e)));
    }

    /**
     * Sends events as a Server-Sent Events response: one of the --max-sse-clients slots (429 when
     * none is free), a retry hint first, comment heartbeats while the events are idle, and a write
     * timeout that closes a reader who stopped reading.
     */
    private Mono<Void> eventStream(HttpServerResponse res, Flux<String> source) {
        if (sseClients.incrementAndGet() > limits.maxSseClients()) {
            sseClients.decrementAndGet();
            throw new HttpError(429, "event streams must be at most " + limits.maxSseClients()
                    + " at once (the server's --max-sse-clients), but that many are open");
        }
        Sinks.Empty<Void> done = Sinks.empty();
        Flux<String> events = source.doFinally(s -> done.tryEmitEmpty());
        // a tick nobody has room for is skipped, never an error: a busy stream needs no keep-alive
        Flux<String> heartbeat = Flux.interval(config.heartbeat).onBackpressureDrop().map(i -> ": keep-alive\n\n")
                .takeUntilOther(done.asMono());
        Flux<ByteBuf> body = Flux.concat(Mono.just("retry: 3000\n\n"), Flux.merge(1, events, heartbeat))
                .map(s -> Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8)))
                .doFinally(s -> sseClients.decrementAndGet());
        long timeout = config.writeTimeout.toMillis();
        return res.status(200)
                .header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no")
                // an event stream's connection is not reused: a kept-alive connection after a stream was
                // seen left unread under load (a request waiting in its socket), so end it with the stream
                .header(HttpHeaderNames.CONNECTION, "close")
                .withConnection(c -> c.addHandlerLast("epochflux.writeTimeout",
                        new WriteTimeoutHandler(timeout, TimeUnit.MILLISECONDS)))
                .send(body, b -> true).then();
    }

    private String sse(ServedRun run, RunEvent e) {
        switch (e.kind()) {
            case EPOCH:
                return run.eventText(e.epoch().orElseThrow(), m -> "id: " + m.epoch() + "\nevent: epoch\ndata: " + write(m) + "\n\n");
            case END: {
                RunOutcome o = e.outcome().orElseThrow();
                Map<String, Object> stop = new LinkedHashMap<>();
                stop.put("outcome", o.kind().name().toLowerCase(Locale.ROOT));
                stop.put("epochs", o.epochs());
                stop.put("weightsEpoch", o.weightsEpoch());
                stop.put("report", o.stop().orElse(null));
                stop.put("error", o.error().map(x -> x.getMessage() == null ? x.toString() : x.getMessage()).orElse(null));
                return "event: stop\ndata: " + write(stop) + "\n\nevent: end\ndata: {\"reason\":\"the run has ended\"}\n\n";
            }
            default:
                return "event: dropped\ndata: {\"reason\":\"this stream fell more than " + config.viewerBuffer
                        + " epochs behind; reconnect with Last-Event-ID to resume\"}\n\n";
        }
    }

    // ---------------------------------------------------------------- downloads

    private Mono<Void> historyCsv(ServedRun run, HttpServerResponse res) {
        return Mono.fromCallable(() -> {
            Path tmp = Files.createTempFile("epochflux-history", ".csv");
            try {
                HistoryCsv.write(tmp, run.handle().history());
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }).subscribeOn(Schedulers.boundedElastic())
                .flatMap(bytes -> res.status(200).header(HttpHeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8")
                        .header(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + run.name() + "-history.csv\"")
                        .sendByteArray(Mono.just(bytes)).then());
    }

    private Mono<Void> model(ServedRun run, HttpServerResponse res) {
        if (run.handle().outcomeNow().isEmpty()) {
            throw new HttpError(409, "the model of run " + run.id() + " can be downloaded once the run has ended, but it is "
                    + run.state());
        }
        return Mono.fromCallable(() -> {
            Path tmp = Files.createTempFile("epochflux-model", ".zip");
            try {
                run.model().save(tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }).subscribeOn(Schedulers.boundedElastic())
                .flatMap(bytes -> res.status(200).header(HttpHeaderNames.CONTENT_TYPE, "application/zip")
                        .header(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + run.name() + "-model.zip\"")
                        .sendByteArray(Mono.just(bytes)).then());
    }

    // ---------------------------------------------------------------- JSON

    private String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value, e);
        }
    }

    private Mono<Void> json(HttpServerResponse res, int status, Object body) {
        return res.status(status).header(HttpHeaderNames.CONTENT_TYPE, JSON).sendString(Mono.just(write(body))).then();
    }

    private Mono<Void> error(HttpServerResponse res, HttpError e) {
        if (res.hasSentHeaders()) {
            return Mono.error(e);
        }
        if (e.status() == 401) {
            res.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"epochflux\"");
        }
        if (e.status() == 405) {
            res.header(HttpHeaderNames.ALLOW, "GET, POST, DELETE");
        }
        return json(res, e.status(), e.body());
    }

    /** Describes and starts an {@link EpochfluxServer}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private String token;
        private final Map<String, Path> dataDirs = new LinkedHashMap<>();
        private int poolThreads = Runtime.getRuntime().availableProcessors();
        private int eventLoops = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private Duration retention = RunRegistry.DEFAULT_RETENTION;
        private int viewerBuffer = RunHandle.DEFAULT_VIEWER_BUFFER;
        private Duration heartbeat = Duration.ofSeconds(15);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private int socketSendBuffer;
        private PrometheusMeterRegistry meters;
        private int maxEpochs = Limits.DEFAULTS.maxEpochs();
        private int maxLayerWidth = Limits.DEFAULTS.maxLayerWidth();
        private int maxLayers = Limits.DEFAULTS.maxLayers();
        private int maxTrainSize = Limits.DEFAULTS.maxTrainSize();
        private int maxValSize = Limits.DEFAULTS.maxValSize();
        private int maxConcurrentRuns = Limits.DEFAULTS.maxConcurrentRuns();
        private int maxSseClients = Limits.DEFAULTS.maxSseClients();
        private int maxBodyBytes = Limits.DEFAULTS.maxBodyBytes();

        private Builder() {
        }

        /**
         * Sets the address to bind (default 127.0.0.1). Any non-loopback address needs a {@link #token}.
         *
         * @param host an address or name
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Sets the port (default {@value EpochfluxServer#DEFAULT_PORT}).
         *
         * @param port 0..65535; 0 for any free port
         * @return this builder
         */
        public Builder port(int port) {
            this.port = range("port", port, 0, 65_535);
            return this;
        }

        /**
         * Sets the bearer token that starting and cancelling runs requires (default none, allowed
         * on loopback only).
         *
         * @param token at least 16 characters, or null for none
         * @return this builder
         */
        public Builder token(String token) {
            if (token != null && token.length() < 16) {
                throw new IllegalArgumentException("token must be at least 16 characters, but was " + token.length());
            }
            this.token = token;
            return this;
        }

        /**
         * Offers a directory of standard MNIST-format files under a name requests may use.
         *
         * @param name the name, letters, digits, '-' and '_', not {@code bundled}
         * @param directory a directory with the standard file names
         * @return this builder
         */
        public Builder dataDir(String name, Path directory) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(directory, "directory");
            if (!name.matches("[A-Za-z0-9_-]{1,64}") || name.equals(DataSets.BUNDLED)) {
                throw new IllegalArgumentException("name must be 1 to 64 letters, digits, '-' or '_', other than "
                        + DataSets.BUNDLED + ", but was " + name);
            }
            dataDirs.put(name, directory);
            return this;
        }

        /**
         * Sets the training pool's threads (default: the available processors).
         *
         * @param threads {@code >= 1}
         * @return this builder
         */
        public Builder poolThreads(int threads) {
            this.poolThreads = range("threads", threads, 1, 1024);
            return this;
        }

        /**
         * Sets how long a finished run stays listed (default one hour).
         *
         * @param retention {@code >= 0}
         * @return this builder
         */
        public Builder retention(Duration retention) {
            Objects.requireNonNull(retention, "retention");
            if (retention.isNegative()) {
                throw new IllegalArgumentException("retention must be >= 0, but was " + retention);
            }
            this.retention = retention;
            return this;
        }

        /**
         * Sets how many live epochs an event stream may fall behind before it is dropped (default
         * {@value RunHandle#DEFAULT_VIEWER_BUFFER}).
         *
         * @param events {@code >= 1}
         * @return this builder
         */
        public Builder viewerBuffer(int events) {
            this.viewerBuffer = range("events", events, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * Sets the interval of the comment that keeps idle event streams open (default 15 s).
         *
         * @param interval positive
         * @return this builder
         */
        public Builder heartbeat(Duration interval) {
            this.heartbeat = positive("interval", interval);
            return this;
        }

        /**
         * Sets how long a write to a client may take before the connection is closed (default 30 s).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive("timeout", timeout);
            return this;
        }

        /**
         * Sets the connections' socket send buffer (default: the system's); small values make a
         * client that does not read show sooner.
         *
         * @param bytes {@code >= 0}; 0 for the system's default
         * @return this builder
         */
        public Builder socketSendBuffer(int bytes) {
            this.socketSendBuffer = range("bytes", bytes, 0, Integer.MAX_VALUE);
            return this;
        }

        /**
         * Sets the registry runs publish their meters to (default: a new one).
         *
         * @param meters the registry served at {@code /metrics}
         * @return this builder
         */
        public Builder meters(PrometheusMeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /**
         * Sets the limits one request may ask for.
         *
         * @param maxEpochs the most epochs a run may ask for (default 10,000)
         * @param maxLayerWidth the widest hidden layer (default 1024)
         * @param maxLayers the most hidden layers (default 8)
         * @param maxTrainSize the most training examples (default 60,000)
         * @param maxValSize the most validation examples (default 10,000)
         * @return this builder
         */
        public Builder requestLimits(int maxEpochs, int maxLayerWidth, int maxLayers, int maxTrainSize, int maxValSize) {
            this.maxEpochs = range("maxEpochs", maxEpochs, 1, Integer.MAX_VALUE);
            this.maxLayerWidth = range("maxLayerWidth", maxLayerWidth, 1, Integer.MAX_VALUE);
            this.maxLayers = range("maxLayers", maxLayers, 0, Integer.MAX_VALUE);
            this.maxTrainSize = range("maxTrainSize", maxTrainSize, 1, Integer.MAX_VALUE);
            this.maxValSize = range("maxValSize", maxValSize, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * Sets the limits on what all callers together may hold.
         *
         * @param maxConcurrentRuns runs training at once; more get 429 (default 8)
         * @param maxSseClients event streams open at once; more get 429 (default 64)
         * @param maxBodyBytes the largest request body; larger gets 413 (default 16 KiB)
         * @return this builder
         */
        public Builder serverLimits(int maxConcurrentRuns, int maxSseClients, int maxBodyBytes) {
            this.maxConcurrentRuns = range("maxConcurrentRuns", maxConcurrentRuns, 1, Integer.MAX_VALUE);
            this.maxSseClients = range("maxSseClients", maxSseClients, 1, Integer.MAX_VALUE);
            this.maxBodyBytes = range("maxBodyBytes", maxBodyBytes, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * Starts listening.
         *
         * @return the running server
         * @throws IllegalStateException when the address is not loopback and there is no token
         */
        public EpochfluxServer start() {
            if (token == null && !isLoopback(host)) {
                throw new IllegalStateException("a token must be set to bind " + host + ", which is not a loopback address,"
                        + " but there is none: set " + TOKEN_ENV + " (and put a TLS proxy in front)");
            }
            return new EpochfluxServer(this).bind();
        }

        private static int range(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", but was " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + d);
            }
            return d;
        }
    }
}
