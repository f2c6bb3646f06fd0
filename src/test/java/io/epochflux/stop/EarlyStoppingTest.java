package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EarlyStopping against Keras' semantics: sequences worked out by hand from the rules, then
 * thousands of random sequences against a line-by-line transliteration of Keras.
 */
class EarlyStoppingTest {

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    private static EarlyStopping.Builder es() {
        return EarlyStopping.builder();
    }

    /** Sequence cases: monitor, mode, patience, minDelta, baseline, startFromEpoch, values, expected stop (-1 = none). */
    static Stream<Arguments> sequences() {
        return Stream.of(
                // patience 0: the first non-improving epoch stops
                Arguments.of("patience 0 stops on the first worse epoch", es().patience(0), List.of(1.0, 0.9, 0.95, 0.8), 3),
                Arguments.of("patience 0 never stops while improving", es().patience(0), List.of(1.0, 0.9, 0.8, 0.7), -1),
                Arguments.of("patience 1 behaves like patience 0", es().patience(1), List.of(1.0, 0.9, 0.95, 0.8), 3),
                Arguments.of("patience 3 waits three epochs", es().patience(3), List.of(1.0, 1.1, 1.2, 1.3, 0.5), 4),
                Arguments.of("an improvement resets the wait", es().patience(3), List.of(1.0, 1.1, 0.9, 1.2, 1.3, 1.4), 6),
                Arguments.of("patience longer than the run", es().patience(10), List.of(1.0, 1.1, 1.2), -1),
                // equality and min_delta
                Arguments.of("an equal value is not an improvement", es().patience(0), List.of(1.0, 1.0), 2),
                Arguments.of("equal values use up patience", es().patience(2), List.of(1.0, 1.0, 1.0), 3),
                Arguments.of("min_delta: a gain of exactly min_delta is not enough", es().minDelta(0.25),
                        List.of(1.0, 0.75), 2),
                Arguments.of("min_delta: a larger gain is an improvement", es().minDelta(0.25),
                        List.of(1.0, 0.5, 0.5), 3),
                Arguments.of("min_delta: its sign is ignored", es().minDelta(-0.25), List.of(1.0, 0.75), 2),
                Arguments.of("min_delta in max mode", es().monitor("val_accuracy").minDelta(0.25),
                        List.of(0.5, 0.75), 2),
                Arguments.of("min_delta in max mode, larger gain", es().monitor("val_accuracy").minDelta(0.25),
                        List.of(0.5, 0.875, 0.875), 3),
                Arguments.of("small steps do not count one by one", es().minDelta(0.1).patience(2),
                        List.of(1.0, 0.95, 0.9), 3),
                Arguments.of("small steps add up against the best", es().minDelta(0.1).patience(5),
                        List.of(1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7), -1),
                // auto mode from the name
                Arguments.of("auto: loss falls", es().monitor("loss").patience(0), List.of(1.0, 1.5), 2),
                Arguments.of("auto: val_loss falls", es().monitor("val_loss").patience(0), List.of(1.0, 0.5, 0.6), 3),
                Arguments.of("auto: accuracy rises", es().monitor("accuracy").patience(0), List.of(0.5, 0.6, 0.55), 3),
                Arguments.of("auto: val_accuracy rises", es().monitor("val_accuracy").patience(0), List.of(0.5, 0.4), 2),
                Arguments.of("auto: auc rises", es().monitor("auc").patience(0), List.of(0.5, 0.7, 0.9, 0.8), 4),
                Arguments.of("auto: val_auc rises", es().monitor("val_auc").patience(0), List.of(0.7, 0.6), 2),
                Arguments.of("auto: a custom *_loss falls", es().monitor("val_custom_loss").patience(0), List.of(2.0, 3.0), 2),
                Arguments.of("explicit max on a loss name", es().monitor("loss").mode(Mode.MAX).patience(0),
                        List.of(1.0, 1.5, 1.2), 3),
                // baseline
                Arguments.of("baseline beaten later resets the wait", es().baseline(0.5).patience(2),
                        List.of(1.0, 0.8, 0.6, 0.4, 0.45, 0.46), 6),
                Arguments.of("baseline never beaten: stops on the first non-improving epoch past patience",
                        es().baseline(0.5).patience(2), List.of(1.0, 0.9, 0.8, 0.85), 4),
                Arguments.of("baseline equal is not beaten", es().baseline(0.5).patience(1), List.of(0.5, 0.6), 2),
                Arguments.of("baseline equal: improving epochs never stop", es().baseline(0.5).patience(0),
                        List.of(0.7, 0.6, 0.5, 0.55), 4),
                Arguments.of("baseline beaten at once", es().baseline(2.0).patience(1), List.of(1.0, 1.1, 0.9), 2),
                // warm-up
                Arguments.of("warm-up hides a better early value", es().startFromEpoch(2).patience(0),
                        List.of(0.1, 0.2, 0.5, 0.4, 0.6), 5),
                Arguments.of("without warm-up the same sequence stops early", es().patience(0),
                        List.of(0.1, 0.2, 0.5, 0.4, 0.6), 2),
                Arguments.of("warm-up longer than the run", es().startFromEpoch(10).patience(0),
                        List.of(1.0, 2.0, 3.0), -1),
                // NaN and infinities
                Arguments.of("NaN first never becomes the best", es().patience(0), List.of(NAN, 1.0, 1.1), 3),
                Arguments.of("NaN first, then a finite value improves", es().patience(1), List.of(NAN, 5.0, 4.0, 4.5), 4),
                Arguments.of("NaN in the middle counts as no improvement", es().patience(1), List.of(1.0, NAN, 0.9), 2),
                Arguments.of("NaN in the middle within patience", es().patience(2), List.of(1.0, NAN, 0.9, NAN, NAN), 5),
                Arguments.of("only NaN stops once the wait reaches patience", es().patience(2), List.of(NAN, NAN, NAN, NAN), 2),
                Arguments.of("+inf first is no improvement (Keras starts from +inf)", es().patience(0),
                        List.of(INF, 1.0, 2.0), 3),
                Arguments.of("-inf is the best a loss can be", es().patience(0), List.of(1.0, -INF, 0.5), 3),
                Arguments.of("Keras' documented example: loss rising from the start, patience 3",
                        es().monitor("loss").patience(3), List.of(1.0, 1.1, 1.2, 1.3, 1.4, 1.5), 4)
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void stopsWhereKerasStops(String name, EarlyStopping.Builder builder, List<Double> values, int expected) {
        EarlyStopping rule = builder.build();
        String metric = rule.monitor();
        assertEquals(expected, Epochs.of(metric, values.toArray(Double[]::new)).stopEpoch(rule), name);
        assertEquals(expected, keras(rule, values), "the Keras transliteration agrees: " + name);
    }

    private static int keras(EarlyStopping rule, List<Double> values) {
        KerasReference k = new KerasReference(rule.mode() == Mode.MIN, rule.minDelta(), rule.patience(),
                rule.baseline().isPresent() ? rule.baseline().getAsDouble() : null, rule.startFromEpoch());
        for (int i = 0; i < values.size(); i++) {
            if (k.onEpochEnd(i, values.get(i))) {
                return i + 1;
            }
        }
        return -1;
    }

    @Test
    void aStopOnTheLastEpochIsTheRulesReportWithTheLimitNoted() {
        // the trainer's last epoch (MAX_EPOCHS) is also the epoch where patience runs out: Keras reports the early stop
        StopReport limit = StopReport.builder(StopReason.MAX_EPOCHS, 2).rule("Trainer(epochs=2)").message("ran all 2 epochs").build();
        Flux<EpochMetrics> epochs = Flux.just(
                EpochMetrics.of(1, Map.of("val_accuracy", 0.5)),
                EpochMetrics.of(2, Map.of("val_accuracy", 0.4)).withStop(limit));
        StopReport report = epochs.transform(EarlyStopping.builder().monitor("val_accuracy").mode(Mode.MAX).build())
                .blockLast().stop().orElseThrow();
        assertEquals(StopReason.PATIENCE_EXHAUSTED, report.reason());
        assertEquals(2, report.epoch());
        assertTrue(report.message().endsWith("the epoch limit (2) was reached on the same epoch"), report.message());
        // a rule that would not have stopped leaves the trainer's reason
        StopReport kept = epochs.transform(EarlyStopping.builder().monitor("val_accuracy").mode(Mode.MAX).patience(5).build())
                .blockLast().stop().orElseThrow();
        assertEquals(StopReason.MAX_EPOCHS, kept.reason());
    }

    @Test
    void agreesWithKerasOnTwoThousandRandomSequences() {
        SplittableRandom r = new SplittableRandom(2024);
        for (int trial = 0; trial < 2000; trial++) {
            EarlyStopping.Builder b = es().patience(r.nextInt(5));
            boolean max = r.nextBoolean();
            b.monitor(max ? "val_accuracy" : "val_loss");
            if (r.nextInt(3) == 0) {
                b.minDelta(r.nextInt(4) * 0.05 * (r.nextBoolean() ? 1 : -1));
            }
            if (r.nextInt(4) == 0) {
                b.baseline(0.3 + r.nextInt(5) * 0.1);
            }
            if (r.nextInt(4) == 0) {
                b.startFromEpoch(r.nextInt(4));
            }
            EarlyStopping rule = b.build();
            List<Double> values = new ArrayList<>();
            int n = 1 + r.nextInt(25);
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(20);
                // quantised values make equal values and exact min_delta gains common
                values.add(kind == 0 ? NAN : kind == 1 ? (max ? -INF : INF) : r.nextInt(12) * 0.1);
            }
            assertEquals(keras(rule, values), Epochs.of(rule.monitor(), values.toArray(Double[]::new)).stopEpoch(rule),
                    "trial " + trial + ": " + rule.describe() + " on " + values);
        }
    }

    @Test
    void emitsTheDecidingEpochWithItsReportThenCompletes() {
        Epochs e = Epochs.of("val_loss", 1.0, 0.5, 0.7, 0.8, 0.9, 0.4);
        List<EpochMetrics> out = e.through(es().patience(2).build());
        assertEquals(4, out.size(), "epochs 1..4, the stopping epoch included");
        StopReport report = out.get(3).stop().orElseThrow();
        assertEquals(StopReason.PATIENCE_EXHAUSTED, report.reason());
        assertEquals(4, report.epoch());
        assertEquals(2, report.bestEpoch().getAsInt());
        assertEquals(0.5, report.bestValue().getAsDouble());
        assertTrue(report.restoredFromEpoch().isEmpty());
        assertEquals("val_loss", report.monitor().orElseThrow());
        assertEquals("EarlyStopping(monitor=val_loss, mode=min, patience=2)", report.rule());
        assertEquals("val_loss did not improve for 2 epochs (patience 2); best 0.5000 at epoch 2", report.message());
        assertTrue(out.subList(0, 3).stream().allMatch(m -> m.stop().isEmpty()));
        assertEquals(e.epochs.get(0), out.get(0), "epochs pass through unchanged");
    }

    @Test
    void restoresTheBestWeightsWhenItStops() {
        Epochs e = Epochs.of("val_loss", 1.0, 0.5, 0.7, 0.8);
        List<EpochMetrics> out = e.through(es().patience(1).restoreBestWeights(true).build());
        assertEquals(3, out.size());
        StopReport report = out.get(2).stop().orElseThrow();
        assertEquals(2, report.restoredFromEpoch().getAsInt());
        assertTrue(report.message().endsWith("; restored the weights of epoch 2"), report.message());
        assertEquals(List.of(2), e.restored, "the best snapshot, restored once");
    }

    @Test
    void restoresTheBestWeightsWhenUpstreamRunsToItsLimit() {
        Epochs e = Epochs.of("val_loss", 1.0, 0.8, 0.6, 0.7, 0.9);
        StopReport limit = StopReport.builder(StopReason.MAX_EPOCHS, 5).rule("Trainer(epochs=5)").message("ran all 5 epochs").build();
        e.epochs.set(4, e.epochs.get(4).withStop(limit));
        List<EpochMetrics> out = e.through(es().patience(10).restoreBestWeights(true).build());
        assertEquals(5, out.size());
        StopReport amended = out.get(4).stop().orElseThrow();
        assertEquals(StopReason.MAX_EPOCHS, amended.reason(), "the report keeps who decided");
        assertEquals("Trainer(epochs=5)", amended.rule());
        assertEquals(3, amended.bestEpoch().getAsInt());
        assertEquals(0.6, amended.bestValue().getAsDouble());
        assertEquals(3, amended.restoredFromEpoch().getAsInt());
        assertEquals("ran all 5 epochs; restored the weights of epoch 3", amended.message());
        assertEquals(List.of(3), e.restored);
    }

    @Test
    void restoresWhenUpstreamCompletesWithoutAReport() {
        Epochs e = Epochs.of("val_loss", 1.0, 0.8, 0.9);
        e.through(es().patience(5).restoreBestWeights(true).build());
        assertEquals(List.of(2), e.restored);
    }

    @Test
    void restoresWhenCancelledDownstream() {
        Epochs e = Epochs.of("val_loss", 1.0, 0.5, 0.7, 0.4, 0.3);
        List<EpochMetrics> out = e.flux().transform(es().patience(5).restoreBestWeights(true).build()).take(3)
                .collectList().block();
        assertEquals(3, out.size());
        assertEquals(List.of(2), e.restored);
    }

    @Test
    void restoresBeforePassingAnUpstreamErrorOn() {
        Epochs e = Epochs.of("val_loss", 1.0, 0.5, 0.7);
        List<String> order = new ArrayList<>();
        List<EpochMetrics> withLog = new ArrayList<>();
        for (EpochMetrics m : e.epochs) {
            int n = m.epoch();
            withLog.add(EpochMetrics.of(n, m.values(), () -> order.add("restore " + n)));
        }
        StepVerifier.create(Flux.fromIterable(withLog).concatWith(Flux.error(new IllegalStateException("disk gone")))
                        .transform(es().patience(5).restoreBestWeights(true).build())
                        .doOnError(x -> order.add("error " + x.getMessage())))
                .expectNextCount(3)
                .expectErrorMessage("disk gone")
                .verify(Duration.ofSeconds(5));
        assertEquals(List.of("restore 2", "error disk gone"), order);
    }

    @Test
    void restoresTheFirstMonitoredEpochWhenNothingEverImproved() {
        Epochs e = Epochs.of("val_loss", NAN, NAN, NAN, NAN);
        List<EpochMetrics> out = e.through(es().patience(1).restoreBestWeights(true).build());
        StopReport report = out.get(out.size() - 1).stop().orElseThrow();
        assertEquals(2, report.epoch());
        assertTrue(report.bestEpoch().isEmpty());
        assertEquals(1, report.restoredFromEpoch().getAsInt(), "as Keras: the first monitored epoch's weights");
        assertTrue(report.message().contains("no value improved"), report.message());
    }

    @Test
    void restoresNothingWhenNoEpochWasMonitored() {
        Epochs e = Epochs.of("val_loss", 1.0, 0.5);
        e.through(es().startFromEpoch(5).restoreBestWeights(true).build());
        assertEquals(List.of(), e.restored);
    }

    @Test
    void refusesToRestoreWithoutSnapshots() {
        Flux<EpochMetrics> bare = Flux.just(EpochMetrics.of(1, Map.of("val_loss", 1.0)));
        StepVerifier.create(bare.transform(es().restoreBestWeights(true).build()))
                .expectErrorSatisfies(x -> assertTrue(x.getMessage().contains("needs epochs that carry a ModelSnapshot"),
                        x.getMessage()))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void skipsEpochsWithoutTheMetricWhenToldTo() {
        Epochs e = Epochs.of("val_loss", 1.0, null, null, 1.1, 0.9);
        assertEquals(4, e.stopEpoch(es().patience(0).onMissingMetric(MissingMetric.SKIP).build()));
        Epochs wait = Epochs.of("val_loss", 1.0, null, 1.1, null, 1.2);
        assertEquals(5, wait.stopEpoch(es().patience(2).onMissingMetric(MissingMetric.SKIP).build()),
                "skipped epochs do not count towards patience");
    }

    @Test
    void failsOnAMissingMetricListingWhatIsThere() {
        Flux<EpochMetrics> flux = Flux.just(EpochMetrics.of(1, Map.of("loss", 1.0, "val_accuracy", 0.4)));
        StepVerifier.create(flux.transform(es().monitor("val_acc").build()))
                .expectErrorSatisfies(x -> {
                    MissingMetricException m = assertInstanceOf(MissingMetricException.class, x);
                    assertTrue(m.getMessage().contains("monitors 'val_acc', but epoch 1 has only"), m.getMessage());
                    assertTrue(m.getMessage().contains("val_accuracy"), m.getMessage());
                    assertTrue(m.getMessage().contains("did you mean 'val_accuracy'?"), m.getMessage());
                })
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void autoModeRefusesAnUnknownNameWhenBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> es().monitor("val_perplexity").build());
        assertEquals("mode AUTO cannot tell whether 'val_perplexity' should fall or rise: set mode(Mode.MIN) or"
                + " mode(Mode.MAX)", e.getMessage());
        assertEquals(Mode.MIN, es().monitor("val_perplexity").mode(Mode.MIN).build().mode());
        for (String rising : new String[] {"acc", "val_acc", "precision", "val_recall", "f1", "sparse_categorical_accuracy"}) {
            assertEquals(Mode.MAX, es().monitor(rising).build().mode(), rising);
        }
        for (String falling : new String[] {"mse", "val_mae", "error", "val_error"}) {
            assertEquals(Mode.MIN, es().monitor(falling).build().mode(), falling);
        }
    }

    @Test
    void aSharedInstanceStartsFreshOnEverySubscription() {
        EarlyStopping rule = es().patience(1).build();
        Flux<EpochMetrics> flux = Epochs.of("val_loss", 1.0, 0.9, 0.95, 0.8, 0.85).flux().transform(rule);
        assertEquals(3, flux.collectList().block().size());
        assertEquals(3, flux.collectList().block().size(), "the same flux, subscribed again");
        Epochs other = Epochs.of("val_loss", 2.0, 1.0, 0.5, 0.6);
        assertEquals(4, other.stopEpoch(rule), "the same rule on another stream");
        Flux<EpochMetrics> deferred = Epochs.of("val_loss", 1.0, 1.1).flux().transformDeferred(rule);
        assertEquals(2, deferred.collectList().block().size());
        assertEquals(2, deferred.collectList().block().size());
    }

    @Test
    void cancelsUpstreamWhenItStops() {
        PublisherProbe<EpochMetrics> probe = PublisherProbe.of(Epochs.of("val_loss", 1.0, 1.1, 1.2, 1.3).flux());
        StepVerifier.create(probe.flux().transform(es().patience(0).build()))
                .expectNextCount(2)
                .verifyComplete();
        probe.assertWasCancelled();
    }

    @Test
    void passesErrorsOn() {
        TestPublisher<EpochMetrics> upstream = TestPublisher.create();
        StepVerifier.create(upstream.flux().transform(es().patience(3).build()))
                .then(() -> upstream.next(EpochMetrics.of(1, Map.of("val_loss", 1.0))))
                .expectNextCount(1)
                .then(() -> upstream.error(new IllegalStateException("upstream broke")))
                .expectErrorMessage("upstream broke")
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void respectsBackpressure() {
        TestPublisher<EpochMetrics> upstream = TestPublisher.create();
        StepVerifier.create(upstream.flux().transform(es().patience(5).build()), 0)
                .expectSubscription()
                .then(() -> upstream.assertMaxRequested(0))
                .thenRequest(1)
                .then(() -> upstream.assertMaxRequested(1))
                .then(() -> upstream.next(EpochMetrics.of(1, Map.of("val_loss", 1.0))))
                .expectNextCount(1)
                .thenRequest(2)
                .then(() -> upstream.emit(EpochMetrics.of(2, Map.of("val_loss", 0.9)), EpochMetrics.of(3, Map.of("val_loss", 0.8))))
                .expectNextCount(2)
                .then(upstream::complete)
                .verifyComplete();
    }

    @Test
    void rejectsNullAndOutOfRangeArguments() {
        assertThrows(NullPointerException.class, () -> es().monitor(null));
        assertThrows(NullPointerException.class, () -> es().mode(null));
        assertThrows(NullPointerException.class, () -> es().onMissingMetric(null));
        assertThrows(NullPointerException.class, () -> es().build().apply(null));
        assertEquals("patience must be >= 0, but was -1",
                assertThrows(IllegalArgumentException.class, () -> es().patience(-1)).getMessage());
        assertEquals("startFromEpoch must be >= 0, but was -2",
                assertThrows(IllegalArgumentException.class, () -> es().startFromEpoch(-2)).getMessage());
        assertEquals("minDelta must be finite, but was NaN",
                assertThrows(IllegalArgumentException.class, () -> es().minDelta(NAN)).getMessage());
        assertEquals("baseline must be a number, but was NaN",
                assertThrows(IllegalArgumentException.class, () -> es().baseline(NAN)).getMessage());
        assertEquals("monitor must not be blank, but was ' '",
                assertThrows(IllegalArgumentException.class, () -> es().monitor(" ")).getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0.5, 0.6, true", "0.5, 0.5, false", "0.5, 0.45, false"})
    void improvementIsStrictAndMeasuredByMinDelta(double reference, double current, boolean improves) {
        EarlyStopping max = es().monitor("val_accuracy").build();
        assertEquals(improves, max.improves(current, reference));
        EarlyStopping min = es().monitor("val_loss").minDelta(0.05).build();
        assertEquals(current + 0.05 < reference, min.improves(current, reference));
        assertTrue(!min.improves(NAN, reference) && !max.improves(NAN, reference), "NaN never improves");
    }

    @Test
    void aTrackerFollowsTheBestValueAndTheWait() {
        EarlyStopping rule = es().patience(2).build();
        EarlyStopping.Tracker t = rule.newTracker();
        assertNotSame(t, rule.newTracker());
        assertTrue(t.best().isEmpty());
        t.observe(EpochMetrics.of(1, Map.of("val_loss", 1.0)));
        t.observe(EpochMetrics.of(2, Map.of("val_loss", 1.2)));
        assertEquals(1.0, t.best().getAsDouble());
        assertEquals(1, t.bestEpoch().getAsInt());
        assertEquals(1, t.waited());
        assertTrue(t.observe(EpochMetrics.of(3, Map.of("val_loss", 1.1))), "a stop under patience 2");
    }
}
