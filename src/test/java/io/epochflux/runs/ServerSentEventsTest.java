package io.epochflux.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochflux.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerSentEventsTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private final ObjectMapper mapper = new ObjectMapper();
    // heartbeats far apart: these streams end long before one is due
    private final ServerSentEvents sse = ServerSentEvents.builder().heartbeat(Duration.ofHours(1)).build();

    private static List<String> names(List<SseEvent> events) {
        return events.stream().map(e -> e.event().orElse(e.retry().isPresent() ? "retry" : "comment"))
                .collect(Collectors.toList());
    }

    @Test
    void aFinishedRunIsARetryHintItsEpochsWithTheirIdsThenStopAndEnd() throws Exception {
        RunHandle handle = RunHandle.builder(Runs.run(4)).start();
        handle.outcome().block(TIMEOUT);
        List<SseEvent> events = sse.watch(handle, null).collectList().block(TIMEOUT);
        assertEquals(List.of("retry", "epoch", "epoch", "epoch", "epoch", "stop", "end"), names(events));
        assertEquals("retry: 3000\n\n", events.get(0).text());
        for (int i = 1; i <= 4; i++) {
            SseEvent e = events.get(i);
            assertEquals(String.valueOf(i), e.id().orElseThrow());
            EpochMetrics epoch = mapper.readValue(e.data().orElseThrow(), EpochMetrics.class);
            assertEquals(handle.history().epochs().get(i - 1), epoch, "the data is the epoch's JSON form");
            assertEquals("id: " + i + "\nevent: epoch\ndata: " + e.data().orElseThrow() + "\n\n", e.text());
        }
        JsonNode stop = mapper.readTree(events.get(5).data().orElseThrow());
        assertEquals("completed", stop.path("outcome").textValue());
        assertEquals(4, stop.path("epochs").intValue());
        assertEquals(4, stop.path("weightsEpoch").intValue());
        assertEquals("MAX_EPOCHS", stop.path("report").path("reason").textValue());
        assertTrue(stop.path("error").isNull());
        assertEquals("event: end\ndata: {\"reason\":\"the run has ended\"}\n\n", events.get(6).text());
    }

    @Test
    void lastEventIdResumesAfterThatEpochAndABadOneIsRefusedNamingIt() {
        RunHandle handle = RunHandle.builder(Runs.run(6)).start();
        List<SseEvent> events = sse.watch(handle, " 4 ").collectList().block(TIMEOUT);
        assertEquals(List.of("5", "6"), events.stream().filter(e -> e.id().isPresent()).map(e -> e.id().get()).toList());
        assertEquals(List.of("retry", "epoch", "epoch", "stop", "end"), names(events));
        assertEquals(0, ServerSentEvents.afterEpoch(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sse.watch(handle, "-1"));
        assertEquals("Last-Event-ID must be an epoch number >= 0, but was -1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerSentEvents.afterEpoch("3x"));
    }

    @Test
    void aCancelledRunEndsWithStopSayingCancelled() throws Exception {
        RunHandle handle = RunHandle.builder(Runs.run(100_000)).start();
        handle.watch().take(2).blockLast(TIMEOUT);
        handle.cancel();
        List<SseEvent> events = sse.watch(handle, null).collectList().block(TIMEOUT);
        assertEquals(List.of("stop", "end"), names(events).subList(events.size() - 2, events.size()));
        assertEquals("cancelled", mapper.readTree(events.get(events.size() - 2).data().orElseThrow()).path("outcome").textValue());
        assertTrue(events.size() >= 5, "the two epochs seen, and any after");
    }

    @Test
    void aDroppedViewerGetsDroppedNamingTheBufferAndTheWayBack() {
        RunHandle handle = RunHandle.builder(Runs.run(1)).viewerBuffer(7).start();
        List<SseEvent> events = sse.events(handle, Flux.just(RunEvent.dropped())).collectList().block(TIMEOUT);
        assertEquals("event: dropped\ndata: {\"reason\":\"this stream fell more than 7 epochs behind; reconnect with"
                + " Last-Event-ID to resume\"}\n\n", events.get(0).text());
    }

    @Test
    void anIdleStreamGetsAHeartbeatEachIntervalAndTheyEndWithTheEvents() {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        ServerSentEvents beating = ServerSentEvents.builder().heartbeat(Duration.ofSeconds(15)).retry(Duration.ofSeconds(2))
                .scheduler(clock).build();
        Sinks.Many<SseEvent> events = Sinks.many().unicast().onBackpressureBuffer();
        SseEvent one = SseEvent.of("1", "epoch", "{}");
        StepVerifier.withVirtualTime(() -> beating.withHeartbeats(events.asFlux()), () -> clock, Long.MAX_VALUE)
                .expectNext(SseEvent.retry(Duration.ofSeconds(2)))
                .expectNoEvent(Duration.ofSeconds(14))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(SseEvent.comment("keep-alive"))
                .then(() -> events.tryEmitNext(one))
                .expectNext(one)
                .thenAwait(Duration.ofSeconds(15))
                .expectNext(SseEvent.comment("keep-alive"))
                .then(events::tryEmitComplete)
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals(": keep-alive\n\n", SseEvent.comment("keep-alive").text());
    }

    @Test
    void dataOfSeveralLinesIsSeveralDataLinesAndBadPartsAreRefused() {
        assertEquals("event: note\ndata: a\ndata: b\n\n", SseEvent.of("note", "a\nb").text());
        String many = IntStream.range(0, 3).mapToObj(i -> "x" + i).collect(Collectors.joining("\r\n"));
        assertEquals("id: 9\nevent: n\ndata: x0\ndata: x1\ndata: x2\n\n", SseEvent.of("9", "n", many).text());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SseEvent.of("a\nb", "n", "d"));
        assertEquals("id must be one line, not blank, but was 'a\nb'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SseEvent.of(" ", "d"));
        assertThrows(IllegalArgumentException.class, () -> SseEvent.retry(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ServerSentEvents.builder().heartbeat(Duration.ofSeconds(-1)));
    }
}
