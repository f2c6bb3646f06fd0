package io.epochflux.runs;

import io.epochflux.stop.EarlyStopping;
import io.epochflux.stop.StopWhen;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.StopReason;
import io.epochflux.train.TrainingRun;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunHandleTest {

    private static final Duration WAIT = Duration.ofMinutes(1);

    private static List<Integer> epochNumbers(List<RunEvent> events) {
        return events.stream().filter(e -> e.kind() == RunEvent.Kind.EPOCH)
                .map(e -> e.epoch().orElseThrow().epoch()).collect(Collectors.toList());
    }

    @Test
    void aViewerGetsEveryEpochThenTheEndAndTheyAreTheHistory() {
        EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(2).build();
        RunHandle handle = RunHandle.builder(Runs.run(40)).pipeline(f -> f.transform(es)).start();
        List<RunEvent> events = handle.watch().collectList().block(WAIT);
        RunEvent end = events.get(events.size() - 1);
        assertEquals(RunEvent.Kind.END, end.kind());
        RunOutcome outcome = end.outcome().orElseThrow();
        List<EpochMetrics> seen = events.stream().filter(e -> e.kind() == RunEvent.Kind.EPOCH)
                .map(e -> e.epoch().orElseThrow()).collect(Collectors.toList());
        assertEquals(handle.history().epochs(), seen);
        assertEquals(outcome.epochs(), seen.size());
        assertEquals(handle.epochs(), seen.size());
        assertTrue(handle.stop().isPresent(), "a stopped or completed run has a report");
        assertTrue(seen.stream().noneMatch(e -> e.snapshot().isPresent()), "viewers get metrics only");
        assertEquals(TrainingRun.Status.ENDED, handle.status());
    }

    @Test
    void aLateViewerGetsTheEarlierEpochsThenTheLiveOnes() {
        RunHandle handle = RunHandle.builder(Runs.run(30)).start();
        handle.watch().filter(e -> e.epoch().map(m -> m.epoch() == 3).orElse(false)).next().block(WAIT);
        List<RunEvent> late = handle.watch().collectList().block(WAIT);
        assertEquals(IntStream.rangeClosed(1, 30).boxed().collect(Collectors.toList()), epochNumbers(late));
        assertEquals(RunEvent.Kind.END, late.get(late.size() - 1).kind());
        List<RunEvent> afterTheEnd = handle.watch().collectList().block(WAIT);
        assertEquals(30, epochNumbers(afterTheEnd).size());
    }

    @Test
    void watchingAfterAnEpochSkipsTheEpochsUpToIt() {
        RunHandle handle = RunHandle.builder(Runs.run(12)).start();
        List<RunEvent> events = handle.watch(9).collectList().block(WAIT);
        assertEquals(List.of(10, 11, 12), epochNumbers(events));
        assertThrows(IllegalArgumentException.class, () -> handle.watch(-1));
    }

    @Test
    void aViewerLeavingDoesNotStopTheRun() {
        RunHandle handle = RunHandle.builder(Runs.run(25)).start();
        assertEquals(2, handle.watch().take(2).count().block(WAIT));
        RunOutcome outcome = handle.outcome().block(WAIT);
        assertEquals(RunOutcome.Kind.COMPLETED, outcome.kind());
        assertEquals(25, handle.epochs());
        assertEquals(StopReason.MAX_EPOCHS, handle.stop().orElseThrow().reason());
        assertEquals(0, handle.viewers());
    }

    @Test
    void cancelStopsTheRunAndViewersGetACancelledEnd() {
        RunHandle handle = RunHandle.builder(Runs.run(100_000)).start();
        List<RunEvent> events = handle.watch()
                .doOnNext(e -> e.epoch().filter(m -> m.epoch() == 2).ifPresent(m -> handle.cancel()))
                .collectList().block(WAIT);
        RunEvent end = events.get(events.size() - 1);
        assertEquals(RunOutcome.Kind.CANCELLED, end.outcome().orElseThrow().kind());
        assertTrue(handle.epochs() >= 2 && handle.epochs() < 100_000, "stopped early: " + handle.epochs());
        assertEquals(handle.epochs(), epochNumbers(events).size());
    }

    @Test
    void aViewerThatNeverAsksIsDroppedWhileTheRunCompletesWithEveryEpoch() {
        Sinks.Empty<Void> gate = Sinks.empty();
        RunHandle handle = RunHandle.builder(Runs.run(30)).viewerBuffer(3)
                .pipeline(f -> f.delaySubscription(gate.asMono())).start();
        StepVerifier.create(handle.watch(), 0)
                .then(gate::tryEmitEmpty) // the run starts once the viewer watches
                .then(() -> handle.outcome().block(WAIT))
                .thenRequest(Long.MAX_VALUE)
                .assertNext(e -> assertEquals(RunEvent.Kind.DROPPED, e.kind()))
                .expectComplete()
                .verify(WAIT);
        assertEquals(RunOutcome.Kind.COMPLETED, handle.outcomeNow().orElseThrow().kind());
        assertEquals(30, handle.epochs());
        assertEquals(1, handle.droppedViewers());
    }

    @Test
    void aSlowViewerWithinItsBufferIsNotDropped() {
        Sinks.Empty<Void> gate = Sinks.empty();
        RunHandle handle = RunHandle.builder(Runs.run(10)).viewerBuffer(10)
                .pipeline(f -> f.delaySubscription(gate.asMono())).start();
        StepVerifier.create(handle.watch(), 0)
                .then(gate::tryEmitEmpty)
                .then(() -> handle.outcome().block(WAIT))
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(10)
                .assertNext(e -> assertEquals(RunEvent.Kind.END, e.kind()))
                .expectComplete()
                .verify(WAIT);
        assertEquals(0, handle.droppedViewers());
    }

    @Test
    void aFailingPipelineEndsTheViewersWithTheOutcome() {
        RunHandle handle = RunHandle.builder(Runs.run(10))
                .pipeline(f -> f.transform(StopWhen.timeBudget(Duration.ofDays(1))).map(m -> {
                    if (m.epoch() == 3) {
                        throw new IllegalStateException("boom");
                    }
                    return m;
                })).start();
        List<RunEvent> events = handle.watch().collectList().block(WAIT);
        assertEquals(List.of(1, 2), epochNumbers(events));
        assertEquals(RunEvent.Kind.END, events.get(events.size() - 1).kind());
        assertEquals("boom", handle.error().orElseThrow().getMessage());
    }

    @Test
    void rejectsNullAndBadArguments() {
        assertThrows(NullPointerException.class, () -> RunHandle.builder(null));
        RunHandle.Builder b = RunHandle.builder(Runs.run(1));
        assertEquals("events must be >= 1, but was 0",
                assertThrows(IllegalArgumentException.class, () -> b.viewerBuffer(0)).getMessage());
        assertThrows(NullPointerException.class, () -> b.pipeline(null));
    }
}
