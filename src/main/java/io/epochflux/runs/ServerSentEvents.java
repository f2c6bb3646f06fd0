package io.epochflux.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A run's viewer as Server-Sent Events, in the form {@code epochflux serve} sends, for any HTTP
 * server: {@link SseEvent#text()} is the wire form, and Spring's {@code ServerSentEvent} takes the
 * parts. {@link #watch(RunHandle, String)} gives, in order:
 * <ul>
 *   <li>a retry hint ({@code retry: 3000});</li>
 *   <li>one {@code epoch} event per epoch after the client's {@code Last-Event-ID}, the epoch as
 *       its {@code id:} and its JSON form ({@link EpochMetrics}) as data;</li>
 *   <li>for a run that ended, {@code stop} (data: {@code outcome} in lower case, {@code epochs},
 *       {@code weightsEpoch}, {@code report}, the stop report or null, and {@code error}, the error's
 *       message or null) then {@code end}, after which the stream completes: a browser closes its
 *       {@code EventSource} on {@code end} rather than reconnecting;</li>
 *   <li>or, for a viewer that fell more than the handle's viewer buffer behind, {@code dropped},
 *       after which the stream completes: the client reconnects with {@code Last-Event-ID} to
 *       resume where it was;</li>
 *   <li>and, while nothing else is sent, a comment ({@code : keep-alive}) every heartbeat interval,
 *       so that proxies keep an idle stream open.</li>
 * </ul>
 * <pre>
 *   run:     --1-----2---------3--(cancelled)|
 *   watch:   r-1--:--2--:--:---3--stop-end|       r retry hint, : heartbeat
 *   "2":              (from Last-Event-ID 2) 3--stop-end|
 * </pre>
 *
 * <p>Immutable and safe to share: one instance serves every run and viewer of a service. Nothing
 * here blocks; the epochs arrive on the handle's viewer scheduler, heartbeats on this instance's
 * scheduler, and an epoch every viewer sends at once is encoded once.
 */
public final class ServerSentEvents {

    /** The heartbeat interval unless the builder says otherwise. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
    /** The retry hint unless the builder says otherwise. */
    public static final Duration DEFAULT_RETRY = Duration.ofSeconds(3);
    /** The {@code Content-Type} of an event stream. */
    public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
    /** The request header a reconnecting client sends with the last id it saw. */
    public static final String LAST_EVENT_ID = "Last-Event-ID";

    /** The names of the events, as {@code event:} gives them. */
    public static final String EPOCH = "epoch";
    /** The event that carries a finished run's outcome and stop report, before {@link #END}. */
    public static final String STOP = "stop";
    /** The last event of a finished run's stream. */
    public static final String END = "end";
    /** The last event of a viewer that fell too far behind. */
    public static final String DROPPED = "dropped";

    private static final SseEvent HEARTBEAT = SseEvent.comment("keep-alive");
    private static final String END_DATA = "{\"reason\":\"the run has ended\"}";

    private final Duration heartbeat;
    private final Duration retry;
    private final Scheduler scheduler;
    private final ObjectMapper mapper = new ObjectMapper();
    /** The last live epoch encoded, by identity: the viewers of a run all send the same one. */
    private final AtomicReference<Encoded> last = new AtomicReference<>();

    private record Encoded(EpochMetrics epoch, SseEvent event) {
    }

    private ServerSentEvents(Builder b) {
        this.heartbeat = b.heartbeat;
        this.retry = b.retry;
        this.scheduler = b.scheduler;
        // the first write loads Jackson's serializers (class loading reads jars): here, on the
        // caller's thread, rather than on a viewer's non-blocking one
        write(EpochMetrics.of(1, Map.of("loss", 1.0)).withStop(StopReport.builder(StopReason.MAX_EPOCHS, 1).build()));
        write(new LinkedHashMap<>(Map.of("a", List.of(1, "b"))));
    }

    /** @return events with the defaults: a heartbeat every 15 s, a retry hint of 3 s */
    public static ServerSentEvents create() {
        return builder().build();
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a {@code Last-Event-ID} header (or query parameter) as the epoch a viewer saw last.
     *
     * @param lastEventId the header's value; null or blank for none
     * @return the epoch, 0 for none
     * @throws IllegalArgumentException when it is not an epoch number {@code >= 0}, naming it
     */
    public static int afterEpoch(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return 0;
        }
        int after;
        try {
            after = Integer.parseInt(lastEventId.trim());
        } catch (NumberFormatException e) {
            after = -1;
        }
        if (after < 0) {
            throw new IllegalArgumentException(LAST_EVENT_ID + " must be an epoch number >= 0, but was " + lastEventId);
        }
        return after;
    }

    /**
     * Watches a run as Server-Sent Events (see the class description), from after the epoch a
     * reconnecting client names. Cancelling the subscription (the client going away) leaves the
     * run alone.
     *
     * @param run the run
     * @param lastEventId the client's {@code Last-Event-ID}, or null for the whole run
     * @return the retry hint, the events and the heartbeats; completes after {@code end} or {@code dropped}
     * @throws IllegalArgumentException when {@code lastEventId} is not an epoch number {@code >= 0}
     */
    public Flux<SseEvent> watch(RunHandle run, String lastEventId) {
        Objects.requireNonNull(run, "run");
        int after = afterEpoch(lastEventId);
        return withHeartbeats(events(run, run.watch(after)));
    }

    /**
     * Gives a viewer's events in this form, without the retry hint and the heartbeats: for a
     * server that sends its own, or for events it has filtered.
     *
     * @param run the run they are of (its viewer buffer names a drop's reason)
     * @param events the run's events, from {@link RunHandle#watch(int)}
     * @return one or two events for each (two for the end: {@code stop}, {@code end})
     */
    public Flux<SseEvent> events(RunHandle run, Flux<RunEvent> events) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(events, "events");
        return events.concatMapIterable(e -> of(run, e));
    }

    /**
     * Sends a stream's events with a retry hint first and a heartbeat whenever it is idle: a tick
     * nobody has room for is skipped, since a busy stream needs no keep-alive; the heartbeats end
     * with the events.
     *
     * @param events the events
     * @return the retry hint, the events and heartbeats between them
     */
    public Flux<SseEvent> withHeartbeats(Flux<SseEvent> events) {
        Objects.requireNonNull(events, "events");
        return Flux.defer(() -> {
            Sinks.Empty<Void> done = Sinks.empty();
            Flux<SseEvent> ending = events.doFinally(s -> done.tryEmitEmpty());
            Flux<SseEvent> beats = Flux.interval(heartbeat, heartbeat, scheduler).onBackpressureDrop()
                    .map(i -> HEARTBEAT).takeUntilOther(done.asMono());
            return Flux.concat(Mono.just(SseEvent.retry(retry)), Flux.merge(1, ending, beats));
        });
    }

    private List<SseEvent> of(RunHandle run, RunEvent e) {
        switch (e.kind()) {
            case EPOCH:
                return List.of(epoch(run, e.epoch().orElseThrow()));
            case END:
                return List.of(SseEvent.of(STOP, write(stopData(e.outcome().orElseThrow()))), SseEvent.of(END, END_DATA));
            default:
                return List.of(SseEvent.of(DROPPED, "{\"reason\":\"this stream fell more than " + run.viewerBuffer()
                        + " epochs behind; reconnect with Last-Event-ID to resume\"}"));
        }
    }

    private SseEvent epoch(RunHandle run, EpochMetrics m) {
        Encoded known = last.get();
        if (known != null && known.epoch() == m) {
            return known.event();
        }
        SseEvent event = SseEvent.of(Integer.toString(m.epoch()), EPOCH, write(m));
        if (m.epoch() >= run.epochs()) {
            last.set(new Encoded(m, event)); // the live epoch: every viewer of the run sends this one next
        }
        return event;
    }

    private static Map<String, Object> stopData(RunOutcome o) {
        Map<String, Object> stop = new LinkedHashMap<>();
        stop.put("outcome", o.kind().name().toLowerCase(Locale.ROOT));
        stop.put("epochs", o.epochs());
        stop.put("weightsEpoch", o.weightsEpoch());
        stop.put("report", o.stop().orElse(null));
        stop.put("error", o.failure().map(f -> f.message().isEmpty() ? f.type() : f.message()).orElse(null));
        return stop;
    }

    private String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value + " as JSON", e);
        }
    }

    /** @return the heartbeat interval */
    public Duration heartbeat() {
        return heartbeat;
    }

    @Override
    public String toString() {
        return "ServerSentEvents[heartbeat=" + heartbeat + ", retry=" + retry + "]";
    }

    /** Describes a {@link ServerSentEvents}. */
    public static final class Builder {
        private Duration heartbeat = DEFAULT_HEARTBEAT;
        private Duration retry = DEFAULT_RETRY;
        private Scheduler scheduler = Schedulers.parallel();

        private Builder() {
        }

        /**
         * Sets how often an idle stream gets a comment (default 15 s).
         *
         * @param interval positive
         * @return this builder
         */
        public Builder heartbeat(Duration interval) {
            this.heartbeat = positive("interval", interval);
            return this;
        }

        /**
         * Sets the retry hint sent first (default 3 s).
         *
         * @param retry positive
         * @return this builder
         */
        public Builder retry(Duration retry) {
            this.retry = positive("retry", retry);
            return this;
        }

        /**
         * Sets the scheduler that times the heartbeats (default {@code Schedulers.parallel()}); a
         * {@code VirtualTimeScheduler} tests them without waiting.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** @return the events */
        public ServerSentEvents build() {
            return new ServerSentEvents(this);
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
