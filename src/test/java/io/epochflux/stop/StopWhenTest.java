package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopWhenTest {

    private static EpochMetrics epoch(int n, double valLoss, double valAccuracy) {
        return EpochMetrics.of(n, Map.of("loss", 1.0, "val_loss", valLoss, "val_accuracy", valAccuracy));
    }

    /** Seven epochs: val_loss falls then climbs to 12, val_accuracy climbs to 0.96, a NaN at epoch 7. */
    private static Flux<EpochMetrics> run() {
        return Flux.just(epoch(1, 2.0, 0.50), epoch(2, 1.0, 0.80), epoch(3, 0.5, 0.90), epoch(4, 0.6, 0.96),
                epoch(5, 4.0, 0.93), epoch(6, 12.0, 0.40), epoch(7, Double.NaN, 0.10));
    }

    /** Each rule, the epoch it stops this run at, and its reason. */
    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of(StopWhen.reaches("val_accuracy", 0.95), 4, StopReason.TARGET_REACHED),
                Arguments.of(StopWhen.reaches("val_loss", 0.5), 3, StopReason.TARGET_REACHED),
                Arguments.of(StopWhen.diverges("val_loss", 10), 6, StopReason.DIVERGED),
                Arguments.of(StopWhen.diverges("val_accuracy", 0.45), 6, StopReason.DIVERGED),
                Arguments.of(StopWhen.nonFinite("val_loss"), 7, StopReason.NON_FINITE),
                Arguments.of(StopWhen.nonFinite(), 7, StopReason.NON_FINITE),
                Arguments.of(StopWhen.epoch(StopReason.of("FIFTH"), "the fifth epoch", m -> m.epoch() == 5), 5,
                        StopReason.of("FIFTH")),
                Arguments.of(StopWhen.history(StopReason.of("TWO_WORSE"), "val_loss rose twice in a row",
                        seen -> seen.size() >= 3
                                && seen.get(seen.size() - 1).value("val_loss").orElseThrow()
                                > seen.get(seen.size() - 2).value("val_loss").orElseThrow()
                                && seen.get(seen.size() - 2).value("val_loss").orElseThrow()
                                > seen.get(seen.size() - 3).value("val_loss").orElseThrow()), 5,
                        StopReason.of("TWO_WORSE")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void emitsTheDecidingEpochWithAReportAndCancelsUpstream(StopWhen rule, int stopEpoch, StopReason reason) {
        PublisherProbe<EpochMetrics> probe = PublisherProbe.of(run());
        List<EpochMetrics> out = probe.flux().transform(rule).collectList().block();
        assertEquals(stopEpoch, out.size());
        StopReport report = out.get(stopEpoch - 1).stop().orElseThrow();
        assertEquals(reason, report.reason());
        assertEquals(stopEpoch, report.epoch());
        assertEquals(rule.describe(), report.rule());
        assertTrue(report.message().contains("epoch " + stopEpoch), report.message());
        if (stopEpoch < 7) {
            probe.assertWasCancelled();
        }
        assertEquals(out, run().transform(rule).collectList().block(), "fresh state on every subscription");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void passesErrorsOnAndRespectsBackpressure(StopWhen rule) {
        TestPublisher<EpochMetrics> upstream = TestPublisher.create();
        StepVerifier.create(upstream.flux().transform(rule), 0)
                .expectSubscription()
                .then(() -> upstream.assertMaxRequested(0))
                .thenRequest(1)
                .then(() -> upstream.assertMaxRequested(1))
                .then(() -> upstream.next(epoch(1, 2.0, 0.5)))
                .expectNextCount(1)
                .then(() -> upstream.error(new IllegalStateException("boom")))
                .expectErrorMessage("boom")
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void reportsReadLikeSentences() {
        assertEquals("val_accuracy reached 0.9600, the target >= 0.95 at epoch 4",
                last(run().transform(StopWhen.reaches("val_accuracy", 0.95))).message());
        assertEquals("val_loss diverged to 12.0000, past the threshold 10.0 at epoch 6",
                last(run().transform(StopWhen.diverges("val_loss", 10))).message());
        assertEquals("val_loss became NaN at epoch 7", last(run().transform(StopWhen.nonFinite())).message());
    }

    private static StopReport last(Flux<EpochMetrics> flux) {
        return flux.blockLast().stop().orElseThrow();
    }

    @Test
    void timeBudgetStopsTheFirstEpochPastTheBudgetInVirtualTime() {
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMinutes(1))
                        .map(i -> epoch((int) (i + 1), 1.0, 0.5))
                        .transform(StopWhen.timeBudget(Duration.ofMinutes(10))))
                .thenAwait(Duration.ofMinutes(9))
                .expectNextCount(9)
                .thenAwait(Duration.ofMinutes(1))
                .assertNext(m -> {
                    StopReport r = m.stop().orElseThrow();
                    assertEquals(10, r.epoch());
                    assertEquals(StopReason.TIME_BUDGET, r.reason());
                    assertEquals("the run used 10m of its 10m budget", r.message());
                })
                .verifyComplete();
    }

    @Test
    void noImprovementForStopsAfterTheDurationWithoutProgressInVirtualTime() {
        double[] losses = {1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.8};
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofMinutes(1))
                        .take(losses.length)
                        .map(i -> epoch((int) (i + 1), losses[(int) (long) i], 0.5))
                        .transform(StopWhen.noImprovementFor("val_loss", Duration.ofMinutes(3))))
                .thenAwait(Duration.ofMinutes(10))
                .expectNextCount(4)
                .assertNext(m -> {
                    StopReport r = m.stop().orElseThrow();
                    assertEquals(5, r.epoch(), "best at minute 2, no improvement by minute 5");
                    assertEquals(StopReason.NO_IMPROVEMENT_FOR, r.reason());
                    assertEquals(2, r.bestEpoch().getAsInt());
                    assertTrue(r.message().startsWith("val_loss did not improve for 3m (patience 3m)"), r.message());
                })
                .verifyComplete();
    }

    @Test
    void aMissingMetricFailsByDefaultAndIsSkippedWhenAsked() {
        StepVerifier.create(run().transform(StopWhen.reaches("val_acc", 0.9)))
                .expectErrorSatisfies(e -> {
                    assertInstanceOf(MissingMetricException.class, e);
                    assertTrue(e.getMessage().contains("did you mean 'val_accuracy'?"), e.getMessage());
                })
                .verify(Duration.ofSeconds(5));
        assertEquals(7, run().transform(StopWhen.reaches("val_acc", 0.9, Mode.MAX, MissingMetric.SKIP))
                .collectList().block().size());
    }

    @Test
    void rejectsNullAndOutOfRangeArguments() {
        assertThrows(NullPointerException.class, () -> StopWhen.reaches(null, 1));
        assertEquals("target must be finite, but was NaN",
                assertThrows(IllegalArgumentException.class, () -> StopWhen.reaches("val_loss", Double.NaN)).getMessage());
        assertEquals("threshold must be finite, but was Infinity", assertThrows(IllegalArgumentException.class,
                () -> StopWhen.diverges("val_loss", Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("budget must be positive, but was PT0S",
                assertThrows(IllegalArgumentException.class, () -> StopWhen.timeBudget(Duration.ZERO)).getMessage());
        assertEquals("patience must be positive, but was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> StopWhen.noImprovementFor("val_loss", Duration.ofSeconds(-1))).getMessage());
        // past a long of nanoseconds the budget overflowed where the clock reads it
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StopWhen.timeBudget(Duration.ofDays(999_999_999)))
                .getMessage().startsWith("budget must be at most PT2562047H47M16.854775807S"));
        assertThrows(NullPointerException.class, () -> StopWhen.nonFinite((String[]) null));
        assertThrows(NullPointerException.class, () -> StopWhen.epoch(null, "x", m -> true));
        assertThrows(NullPointerException.class, () -> StopWhen.history(StopReason.of("X"), "x", null));
        assertEquals("metric must not be blank, but was ''",
                assertThrows(IllegalArgumentException.class, () -> StopWhen.diverges("", 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> StopWhen.reaches("val_perplexity", 3));
    }
}
