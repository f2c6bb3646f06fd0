package io.epochflux.schedule;

import io.epochflux.stop.MissingMetric;
import io.epochflux.stop.MissingMetricException;
import io.epochflux.stop.Mode;
import io.epochflux.stop.RuleState;
import io.epochflux.stop.RuleStates;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.SteeredEpochs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ReduceLROnPlateau against Keras 3's callback: sequences worked out by hand, then thousands of
 * random sequences against a line-by-line transliteration, step by step (rate, best, wait,
 * cooldown counter).
 */
class ReduceLROnPlateauTest {

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    private static ReduceLROnPlateau.Builder plateau() {
        return ReduceLROnPlateau.builder();
    }

    /** The learning_rate of every epoch that came out. */
    private static List<Double> rates(ReduceLROnPlateau op, double initial, String metric, Double... values) {
        List<EpochMetrics> out = SteeredEpochs.of(initial, metric, Arrays.asList(values)).transform(op).collectList().block();
        List<Double> rates = new ArrayList<>();
        for (EpochMetrics e : out) {
            rates.add(e.value("learning_rate").orElseThrow());
        }
        return rates;
    }

    private static List<Double> floats(double... rates) {
        List<Double> out = new ArrayList<>();
        for (double r : rates) {
            out.add((double) (float) r);
        }
        return out;
    }

    static Stream<Arguments> sequences() {
        return Stream.of(
                Arguments.of("patience 2: the third epoch without improvement lowers the next epoch's rate",
                        plateau().patience(2).factor(0.5), new Double[] {0.9, 0.8, 0.8, 0.85, 0.7},
                        floats(0.1, 0.1, 0.1, 0.1, 0.05)),
                Arguments.of("patience 0 behaves like 1", plateau().patience(0).factor(0.5),
                        new Double[] {1.0, 1.0, 1.0}, floats(0.1, 0.1, 0.05)),
                Arguments.of("the wait resets after a reduction, so it takes patience again",
                        plateau().patience(1).factor(0.5), new Double[] {1.0, 1.1, 1.2, 1.3}, floats(0.1, 0.1, 0.05, 0.025)),
                Arguments.of("cooldown 2 holds the wait at 0 for two epochs", plateau().patience(1).factor(0.5).cooldown(2),
                        new Double[] {1.0, 1.1, 1.2, 1.3, 1.4, 1.5}, floats(0.1, 0.1, 0.05, 0.05, 0.025, 0.025)),
                Arguments.of("an improvement during cooldown still becomes the best",
                        plateau().patience(1).factor(0.5).cooldown(3), new Double[] {1.0, 1.1, 0.5, 0.6, 0.7, 0.8},
                        floats(0.1, 0.1, 0.05, 0.05, 0.05, 0.025)),
                Arguments.of("min_delta 1e-4 (the default): a gain of 1e-5 is a plateau", plateau().patience(1).factor(0.5),
                        new Double[] {1.0, 0.99999}, floats(0.1, 0.1)),
                Arguments.of("min_delta: a smaller gain is no improvement", plateau().patience(1).factor(0.5).minDelta(0.1),
                        new Double[] {1.0, 0.95, 0.9}, floats(0.1, 0.1, 0.05)),
                Arguments.of("min_delta keeps its sign: -0.1 lets a slightly worse value count",
                        plateau().patience(1).factor(0.5).minDelta(-0.1), new Double[] {1.0, 1.05, 1.1, 1.2},
                        floats(0.1, 0.1, 0.1, 0.1)),
                Arguments.of("an equal value is a plateau (min_delta 0)", plateau().patience(1).factor(0.5).minDelta(0),
                        new Double[] {1.0, 1.0}, floats(0.1, 0.1)),
                Arguments.of("min_lr stops the reductions", plateau().patience(1).factor(0.1).minLr(0.005),
                        new Double[] {1.0, 1.0, 1.0, 1.0}, floats(0.1, 0.1, 0.01, 0.005)),
                Arguments.of("max mode: accuracy that stops rising", plateau().monitor("val_accuracy").patience(1).factor(0.5),
                        new Double[] {0.5, 0.6, 0.6, 0.7}, floats(0.1, 0.1, 0.1, 0.05)),
                Arguments.of("NaN never improves", plateau().patience(1).factor(0.5), new Double[] {NAN, NAN, 1.0},
                        floats(0.1, 0.05, 0.025)),
                Arguments.of("+inf first is no improvement", plateau().patience(1).factor(0.5), new Double[] {INF, 1.0},
                        floats(0.1, 0.05)),
                Arguments.of("factor 0 drops the rate to min_lr at once", plateau().patience(1).factor(0.0).minLr(0.001),
                        new Double[] {1.0, 1.0, 1.0}, floats(0.1, 0.1, 0.001)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void lowersTheRateWhereKerasDoes(String name, ReduceLROnPlateau.Builder builder, Double[] values, List<Double> expected) {
        ReduceLROnPlateau op = builder.build();
        assertEquals(expected, rates(op, 0.1, op.monitor(), values), name);
        assertEquals(expected, keras(op, 0.1, Arrays.asList(values)), "the Keras transliteration agrees: " + name);
    }

    private static List<Double> keras(ReduceLROnPlateau op, double initial, List<Double> values) {
        KerasReduceLrReference k = reference(op, initial);
        List<Double> logged = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            logged.add(k.onEpochEnd(i, values.get(i)));
        }
        return logged;
    }

    private static KerasReduceLrReference reference(ReduceLROnPlateau op, double initial) {
        KerasReduceLrReference k = new KerasReduceLrReference(op.monitor(), op.factor(), op.patience(),
                op.mode().name().toLowerCase(java.util.Locale.ROOT), op.minDelta(), op.cooldown(), op.minLr(), initial);
        k.onTrainBegin();
        return k;
    }

    @Test
    void agreesWithKerasStepByStepOnTwoThousandRandomSequences() {
        SplittableRandom r = new SplittableRandom(2026);
        double[] factors = {0.0, 0.1, 0.2, 0.5, 0.9, 0.3333};
        double[] deltas = {0.0, 1e-4, 0.05, 0.1, -0.05};
        double[] minLrs = {0.0, 1e-4, 0.001, 0.01, 0.0123, 0.05};
        double[] initials = {0.1, 0.01, 0.05, 1.0, 0.3};
        int reduced = 0;
        int heldAtMinLr = 0;
        for (int trial = 0; trial < 2000; trial++) {
            boolean max = r.nextBoolean();
            ReduceLROnPlateau.Builder b = plateau()
                    .factor(factors[r.nextInt(factors.length)])
                    .patience(r.nextInt(5))
                    .cooldown(r.nextInt(4))
                    .minDelta(deltas[r.nextInt(deltas.length)])
                    .minLr(minLrs[r.nextInt(minLrs.length)])
                    .onMissingMetric(MissingMetric.SKIP);
            switch (r.nextInt(3)) {
                case 0 -> b.monitor(max ? "val_accuracy" : "val_loss"); // AUTO, which Keras resolves the same way
                case 1 -> b.monitor(max ? "accuracy" : "loss").mode(max ? Mode.MAX : Mode.MIN);
                default -> b.monitor("val_loss").mode(max ? Mode.MAX : Mode.MIN);
            }
            ReduceLROnPlateau op = b.build();
            double initial = initials[r.nextInt(initials.length)];
            List<Double> values = new ArrayList<>();
            int n = 1 + r.nextInt(40);
            double level = r.nextInt(12) * 0.1;
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(20);
                if (kind < 8) {
                    // a plateau: the same value again, or within a hair of it
                    values.add(kind < 6 ? level : level + (r.nextBoolean() ? 1e-5 : -1e-5));
                } else if (kind == 8) {
                    values.add(NAN);
                } else if (kind == 9) {
                    values.add(max ? -INF : INF);
                } else if (kind == 10) {
                    values.add(null);
                } else {
                    // quantised, so ties and gains of exactly min_delta are common
                    level = r.nextInt(12) * 0.05;
                    values.add(level);
                }
            }
            String what = "trial " + trial + ": " + op.describe() + " from " + initial + " on " + values;

            KerasReduceLrReference k = reference(op, initial);
            RuleStates states = RuleStates.tracking();
            List<RuleState> saved = new ArrayList<>();
            List<EpochMetrics> out = SteeredEpochs.of(initial, op.monitor(), values)
                    .transform(op)
                    .doOnNext(e -> saved.add(states.save().get(0).state()))
                    .contextWrite(states::into)
                    .collectList().block();
            assertEquals(n, out.size(), what);
            for (int i = 0; i < n; i++) {
                double logged = k.onEpochEnd(i, values.get(i));
                String at = what + ", epoch index " + i;
                assertEquals(logged, out.get(i).value("learning_rate").orElseThrow(), at + ": learning_rate");
                RuleState s = saved.get(i);
                assertEquals(k.best, s.get("best"), at + ": best");
                assertEquals(k.wait, (int) s.get("wait"), at + ": wait");
                assertEquals(k.cooldownCounter, (int) s.get("cooldown_counter"), at + ": cooldown_counter");
                assertEquals((double) k.learningRate, s.get("learning_rate"), at + ": the next epoch's rate");
            }
            reduced += k.learningRate < (float) initial ? 1 : 0;
            heldAtMinLr += op.minLr() > 0 && k.learningRate == (float) op.minLr() ? 1 : 0;
        }
        // the cases that matter are common, or the comparison proves little
        assertTrue(reduced > 1000, "sequences that lowered the rate: " + reduced);
        assertTrue(heldAtMinLr > 100, "sequences that reached min_lr: " + heldAtMinLr);
    }

    @Test
    void autoResolvesAsEarlyStoppingDoesNotByKerasSubstringRule() {
        // Keras' callback takes any name without "acc" as falling; Mode.resolve knows auc rises
        assertEquals(Mode.MAX, plateau().monitor("val_auc").build().mode());
        assertEquals(Mode.MIN, plateau().monitor("val_loss").build().mode());
        assertEquals(Mode.MAX, plateau().monitor("val_accuracy").build().mode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plateau().monitor("lr_thing").build());
        assertTrue(e.getMessage().contains("mode AUTO cannot tell"), e.getMessage());
    }

    @Test
    void defaultsAreKeras() {
        ReduceLROnPlateau op = plateau().build();
        assertEquals("val_loss", op.monitor());
        assertEquals(0.1, op.factor());
        assertEquals(10, op.patience());
        assertEquals(Mode.MIN, op.mode());
        assertEquals(1e-4, op.minDelta());
        assertEquals(0, op.cooldown());
        assertEquals(0.0, op.minLr());
        assertEquals(MissingMetric.FAIL, op.onMissingMetric());
        assertEquals("ReduceLROnPlateau(monitor=val_loss, mode=min, factor=0.1, patience=10, minDelta=1.0E-4, cooldown=0,"
                + " minLr=0.0)", op.describe());
    }

    @Test
    void refusesBadArgumentsNamingTheRule() {
        assertEquals("factor must be >= 0 and < 1, but was 1.0",
                assertThrows(IllegalArgumentException.class, () -> plateau().factor(1.0)).getMessage());
        assertEquals("factor must be >= 0 and < 1, but was -0.5",
                assertThrows(IllegalArgumentException.class, () -> plateau().factor(-0.5)).getMessage());
        assertEquals("factor must be >= 0 and < 1, but was NaN",
                assertThrows(IllegalArgumentException.class, () -> plateau().factor(NAN)).getMessage());
        assertEquals("patience must be >= 0, but was -1",
                assertThrows(IllegalArgumentException.class, () -> plateau().patience(-1)).getMessage());
        assertEquals("cooldown must be >= 0, but was -2",
                assertThrows(IllegalArgumentException.class, () -> plateau().cooldown(-2)).getMessage());
        assertEquals("minLr must be >= 0 and finite, but was -1.0E-4",
                assertThrows(IllegalArgumentException.class, () -> plateau().minLr(-1e-4)).getMessage());
        assertEquals("minDelta must be finite, but was Infinity",
                assertThrows(IllegalArgumentException.class, () -> plateau().minDelta(INF)).getMessage());
        assertEquals("monitor must not be blank, but was ' '",
                assertThrows(IllegalArgumentException.class, () -> plateau().monitor(" ")).getMessage());
        assertThrows(NullPointerException.class, () -> plateau().monitor(null));
        assertThrows(NullPointerException.class, () -> plateau().mode(null));
        assertThrows(NullPointerException.class, () -> plateau().onMissingMetric(null));
        assertThrows(NullPointerException.class, () -> plateau().build().apply(null));
    }

    @Test
    void aMissingMetricFailsTheStreamByDefaultAndIsSkippedOnRequest() {
        StepVerifier.create(SteeredEpochs.of(0.1, "val_loss", Arrays.asList(1.0, null, 0.5)).transform(plateau().build()))
                .expectNextCount(1)
                .expectError(MissingMetricException.class)
                .verify();
        assertEquals(floats(0.1, 0.1, 0.1, 0.05), rates(plateau().patience(1).factor(0.5)
                .onMissingMetric(MissingMetric.SKIP).build(), 0.1, "val_loss", 1.0, null, 1.0, 1.0));
    }

    @Test
    void passesEpochsThroughUnchangedAndNeverEndsTheStream() {
        ReduceLROnPlateau op = plateau().patience(0).build();
        List<EpochMetrics> in = List.of(EpochMetrics.of(1, Map.of("val_loss", 1.0, "learning_rate", 0.1)),
                EpochMetrics.of(2, Map.of("val_loss", 2.0, "learning_rate", 0.1)));
        TestPublisher<EpochMetrics> upstream = TestPublisher.create();
        StepVerifier.create(upstream.flux().transform(op), 0)
                .thenRequest(1)
                .then(() -> upstream.next(in.get(0)))
                .assertNext(e -> assertSame(in.get(0), e))
                .thenRequest(1)
                .then(() -> upstream.next(in.get(1)))
                .assertNext(e -> assertSame(in.get(1), e))
                .then(() -> upstream.error(new IllegalStateException("boom")))
                .expectErrorMessage("boom")
                .verify();
        upstream.assertMaxRequested(1);
    }

    @Test
    void cancellingDownstreamCancelsUpstream() {
        TestPublisher<EpochMetrics> upstream = TestPublisher.create();
        StepVerifier.create(upstream.flux().transform(plateau().build()))
                .then(() -> upstream.next(EpochMetrics.of(1, Map.of("val_loss", 1.0))))
                .expectNextCount(1)
                .thenCancel()
                .verify();
        upstream.assertCancelled();
    }

    @Test
    void withoutARunItReadsTheRateFromTheEpochsAndFailsWhenThereIsNone() {
        ReduceLROnPlateau op = plateau().patience(0).build();
        // hand-made epochs that carry a rate: the operator can decide, though nothing upstream listens
        StepVerifier.create(Flux.just(EpochMetrics.of(1, Map.of("val_loss", 1.0, "learning_rate", 0.1)),
                        EpochMetrics.of(2, Map.of("val_loss", 1.0, "learning_rate", 0.1))).transform(op))
                .expectNextCount(2).verifyComplete();
        StepVerifier.create(Flux.just(EpochMetrics.of(1, Map.of("val_loss", 1.0)), EpochMetrics.of(2, Map.of("val_loss", 1.0)))
                        .transform(op))
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertEquals(op.describe() + " needs the learning rate, but epoch 2 has no"
                        + " learning_rate and no training run is upstream", e.getMessage()))
                .verify();
    }

    @Test
    void everySubscriptionStartsAfresh() {
        ReduceLROnPlateau op = plateau().patience(1).factor(0.5).build();
        Flux<EpochMetrics> flux = SteeredEpochs.of(0.1, "val_loss", List.of(1.0, 1.0, 1.0, 1.0)).transform(op);
        List<EpochMetrics> first = flux.collectList().block();
        List<EpochMetrics> second = flux.collectList().block();
        assertEquals(first, second);
        assertEquals(floats(0.1, 0.1, 0.05, 0.025), first.stream().map(e -> e.value("learning_rate").orElseThrow()).toList());
    }

    @Test
    void aResumedStreamSetsTheRatesOfTheUninterruptedOne() {
        ReduceLROnPlateau op = plateau().patience(2).factor(0.5).cooldown(1).build();
        List<Double> values = List.of(1.0, 0.9, 0.95, 0.96, 0.97, 0.99, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89);
        List<Double> whole = rates(op, 0.1, "val_loss", values.toArray(Double[]::new));

        RuleStates first = RuleStates.tracking();
        AtomicReference<List<RuleStates.Saved>> saved = new AtomicReference<>();
        SteeredEpochs.of(0.1, "val_loss", values.subList(0, 5)).transform(op)
                .doOnNext(e -> saved.set(first.save())).contextWrite(first::into).blockLast();
        assertEquals(op.describe(), saved.get().get(0).rule());
        // a fresh run (it starts from the trainer's rate) resumed from the checkpoint
        List<Double> after = SteeredEpochs.of(0.1, "val_loss", values.subList(5, values.size())).transform(op)
                .contextWrite(RuleStates.resuming(saved.get())::into)
                .map(e -> e.value("learning_rate").orElseThrow()).collectList().block();
        assertEquals(whole.subList(5, whole.size()), after);
        assertTrue(whole.get(whole.size() - 1) < 0.1, "the sequence reduced the rate: " + whole);
    }

    @Test
    void joinsCheckpointsBesideStopRulesInChainOrder() {
        ReduceLROnPlateau op = plateau().patience(1).factor(0.5).build();
        io.epochflux.stop.EarlyStopping es = io.epochflux.stop.EarlyStopping.builder().patience(5).build();
        RuleStates states = RuleStates.tracking();
        AtomicReference<List<RuleStates.Saved>> saved = new AtomicReference<>();
        SteeredEpochs.of(0.1, "val_loss", List.of(1.0, 1.0, 1.0)).transform(op).transform(es)
                .doOnNext(e -> saved.set(states.save())).contextWrite(states::into).blockLast();
        assertEquals(List.of(es.describe(), op.describe()), saved.get().stream().map(RuleStates.Saved::rule).toList(),
                "most downstream first");
        assertEquals(2, (int) saved.get().get(0).state().get("wait"));
        assertEquals((double) 0.025f, saved.get().get(1).state().get("learning_rate"));
        // the same states given to a chain in the other order are refused, naming what was expected
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                SteeredEpochs.of(0.1, "val_loss", List.of(1.0)).transform(es).transform(op)
                        .contextWrite(RuleStates.resuming(saved.get())::into).blockLast());
        assertTrue(e.getMessage().contains("resume the same chain"), e.getMessage());
    }
}
