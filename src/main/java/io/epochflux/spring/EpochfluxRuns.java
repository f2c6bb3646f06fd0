package io.epochflux.spring;

import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.runs.RunHandle;
import io.epochflux.runs.RunRegistry;
import io.epochflux.runs.RunStatus;
import io.epochflux.runs.ServerSentEvents;
import io.epochflux.runs.SseEvent;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingRun;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.reactivestreams.Publisher;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Spring application's runs: the auto-configured {@link RunRegistry}, training pool, meters and
 * event form behind the few calls a controller makes. Runs started here train on the training
 * pool, publish their meters to the application's {@link MeterRegistry} (and so to
 * {@code /actuator/prometheus}), keep {@code epochflux.viewer-buffer} epochs for each viewer, and
 * are cancelled, with every viewer sent its final events, when the application shuts down, before
 * its web server stops.
 *
 * <pre>{@code
 * @PostMapping("/runs")
 * Map<String, String> start() {
 *     TrainingRun run = runs.trainer().epochs(200).build().run(model, split.train(), split.validation());
 *     return Map.of("id", runs.start(run, epochs -> epochs.transform(EarlyStopping.builder().patience(5).build())));
 * }
 *
 * @GetMapping(path = "/runs/{id}/epochs", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
 * Flux<ServerSentEvent<String>> epochs(@PathVariable String id,
 *                                     @RequestHeader(name = "Last-Event-ID", required = false) String last) {
 *     return runs.events(id, last);
 * }
 * }</pre>
 *
 * <p>The calls that find a run by id answer an unknown id with a {@link ResponseStatusException}
 * 404, and a bad {@code Last-Event-ID} with 400, so a controller passes them through as they are.
 * Every method returns without blocking.
 */
public final class EpochfluxRuns {

    private final RunRegistry registry;
    private final Scheduler pool;
    private final ServerSentEvents events;
    private final Supplier<Optional<MeterRegistry>> meters;
    private final EpochfluxProperties properties;
    private final Tags tags;
    private volatile boolean closed;

    /**
     * Puts the parts together; the auto-configuration makes one, and an application that defines
     * its own bean of this type gets none.
     *
     * @param registry the runs by id
     * @param pool where runs train
     * @param events the event form
     * @param meters the application's registry, asked for at each start; empty for no meters
     * @param properties the settings: viewer buffer, common tags, meters' retention
     * @throws IllegalArgumentException for a common tag whose key the library uses itself, naming it
     */
    public EpochfluxRuns(RunRegistry registry, Scheduler pool, ServerSentEvents events,
                         Supplier<Optional<MeterRegistry>> meters, EpochfluxProperties properties) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.events = Objects.requireNonNull(events, "events");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.properties = Objects.requireNonNull(properties, "properties");
        Tags all = Tags.empty();
        for (Map.Entry<String, String> t : properties.getMetrics().getTags().entrySet()) {
            all = all.and(t.getKey(), t.getValue());
        }
        // the binder's own checks, now rather than at the first run: a bad key names itself at start-up
        TrainingMetrics.builder(new SimpleMeterRegistry()).run("check").commonTags(all);
        this.tags = all;
    }

    /**
     * Starts describing a trainer whose runs train on the application's training pool.
     *
     * @return {@code Trainer.builder().scheduler(pool)}; set the rest
     */
    public Trainer.Builder trainer() {
        return Trainer.builder().scheduler(pool);
    }

    /**
     * Starts a run with nothing in its stream but the meters.
     *
     * @param run a run from {@code Trainer.run}, not subscribed
     * @return its id
     */
    public String start(TrainingRun run) {
        return start(run, Function.identity());
    }

    /**
     * Starts a run named {@code run-<id>} in its meters.
     *
     * @param run a run from {@code Trainer.run}, not subscribed
     * @param pipeline what the epochs pass through before the meters, such as
     *                 {@code epochs -> epochs.transform(earlyStopping)}
     * @return its id
     * @throws IllegalStateException once the application is shutting down
     */
    public String start(TrainingRun run, Function<? super Flux<EpochMetrics>, ? extends Publisher<EpochMetrics>> pipeline) {
        return start(null, run, pipeline);
    }

    /**
     * Starts a run under a name of its own in its meters (the {@code run} tag).
     *
     * @param name the name, not blank; null for {@code run-<id>}
     * @param run a run from {@code Trainer.run}, not subscribed
     * @param pipeline what the epochs pass through before the meters
     * @return its id
     * @throws IllegalStateException once the application is shutting down
     */
    public String start(String name, TrainingRun run,
                        Function<? super Flux<EpochMetrics>, ? extends Publisher<EpochMetrics>> pipeline) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(pipeline, "pipeline");
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
        }
        if (closed) {
            throw new IllegalStateException("runs cannot start once the application is shutting down");
        }
        return registry.start(id -> {
            Optional<TrainingMetrics> binder = meters.get().map(m -> TrainingMetrics.builder(m)
                    .run(name != null ? name : "run-" + id)
                    .commonTags(tags)
                    .retention(properties.getMetrics().getRetention())
                    .build());
            return RunHandle.builder(run)
                    .viewerBuffer(properties.getViewerBuffer())
                    .pipeline(epochs -> {
                        Flux<EpochMetrics> piped = Flux.from(pipeline.apply(epochs));
                        return binder.isPresent() ? piped.transform(binder.get()) : piped;
                    })
                    .start();
        });
    }

    /**
     * Watches a run as Server-Sent Events, in {@code serve}'s form ({@link ServerSentEvents}):
     * every epoch after {@code lastEventId} with its number as id, then {@code stop} and
     * {@code end}, or {@code dropped}, with a retry hint first and heartbeats while idle. The return
     * value of a {@code @GetMapping(produces = TEXT_EVENT_STREAM_VALUE)}; the client going away
     * leaves the run alone.
     *
     * @param id the run's id
     * @param lastEventId the client's {@code Last-Event-ID} header, or null
     * @return the events, ending after {@code end} or {@code dropped}
     * @throws ResponseStatusException 404 for an unknown id, 400 for a bad {@code Last-Event-ID}
     */
    public Flux<ServerSentEvent<String>> events(String id, String lastEventId) {
        RunHandle run = find(id);
        Flux<SseEvent> sse;
        try {
            sse = events.watch(run, lastEventId);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        return sse.map(EpochfluxRuns::toSpring);
    }

    /**
     * Gives one event as Spring writes it: the same id, name, data, comment and retry.
     *
     * @param e an event
     * @return the event for WebFlux
     */
    public static ServerSentEvent<String> toSpring(SseEvent e) {
        ServerSentEvent.Builder<String> b = ServerSentEvent.builder();
        e.id().ifPresent(b::id);
        e.event().ifPresent(b::event);
        e.data().ifPresent(b::data);
        e.comment().ifPresent(b::comment);
        e.retry().ifPresent(b::retry);
        return b.build();
    }

    /**
     * Reads where a run stands.
     *
     * @param id the run's id
     * @return its status, as JSON for a {@code @GetMapping}
     * @throws ResponseStatusException 404 for an unknown id
     */
    public RunStatus status(String id) {
        return RunStatus.of(id, find(id));
    }

    /** @return every run listed, oldest first */
    public List<RunStatus> list() {
        List<RunStatus> all = new ArrayList<>();
        for (Map.Entry<String, RunHandle> e : registry.list().entrySet()) {
            all.add(RunStatus.of(e.getKey(), e.getValue()));
        }
        return all;
    }

    /**
     * Cancels a run without waiting (see {@link RunHandle#cancel()}).
     *
     * @param id the run's id
     * @return its status once it has ended and released its model: the value of a {@code @DeleteMapping}
     * @throws ResponseStatusException 404 for an unknown id
     */
    public Mono<RunStatus> cancel(String id) {
        RunHandle run = find(id);
        run.cancel();
        return run.outcome().map(o -> RunStatus.of(id, run));
    }

    /** @return the registry behind these calls */
    public RunRegistry registry() {
        return registry;
    }

    private RunHandle find(String id) {
        Objects.requireNonNull(id, "id");
        return registry.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no run " + id
                + ": it never was, or it ended more than " + registry.retention() + " ago"));
    }

    /**
     * Refuses new runs and cancels every run: the application is shutting down.
     *
     * @return completes once every run has ended and released its model
     */
    Mono<Void> close() {
        closed = true;
        List<Mono<?>> ends = new ArrayList<>();
        for (RunHandle run : registry.list().values()) {
            run.cancel();
            ends.add(run.outcome());
        }
        return Mono.when(ends);
    }
}
