package io.epochflux.schedule;

import io.epochflux.stop.RuleStates;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.SteeredEpochs;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schedules on hand-worked cases: the rate each epoch trains with, epochs counted from 0. */
class LearningRateScheduleTest {

    private static List<Double> rates(Flux<EpochMetrics> epochs) {
        return epochs.map(e -> e.value("learning_rate").orElseThrow()).collectList().block();
    }

    private static List<Double> rates(LearningRateSchedule schedule, double initial, int epochs) {
        return rates(SteeredEpochs.of(initial, "val_loss", Collections.nCopies(epochs, 1.0)).transform(schedule));
    }

    private static List<Double> floats(double... rates) {
        List<Double> out = new ArrayList<>();
        for (double r : rates) {
            out.add((double) (float) r);
        }
        return out;
    }

    @Test
    void stepMultipliesTheInitialRateEveryFewEpochs() {
        assertEquals(floats(0.1, 0.1, 0.05, 0.05, 0.025), rates(LearningRateSchedule.step(0.5, 2), 0.1, 5));
        assertEquals(floats(0.2, 0.02, 0.002), rates(LearningRateSchedule.step(0.1, 1), 0.2, 3));
    }

    @Test
    void exponentialMultipliesEveryEpoch() {
        assertEquals(floats(0.1, 0.05, 0.025, 0.0125), rates(LearningRateSchedule.exponential(0.5), 0.1, 4));
        // computed from the initial rate, not compounded through float32 roundings
        List<Double> long96 = rates(LearningRateSchedule.exponential(0.96), 0.01, 101);
        assertEquals((double) (float) (0.01 * Math.pow(0.96, 100)), long96.get(100));
    }

    @Test
    void cosineAnnealsToItsFloorThenHoldsIt() {
        assertEquals(floats(0.1, 0.1 * (1 + Math.sqrt(0.5)) / 2, 0.05, 0.1 * (1 - Math.sqrt(0.5)) / 2, 0.0, 0.0),
                rates(LearningRateSchedule.cosine(4, 0.0), 0.1, 6));
        assertEquals(floats(0.1, 0.055, 0.01, 0.01), rates(LearningRateSchedule.cosine(2, 0.01), 0.1, 4));
    }

    @Test
    void aFunctionGetsTheZeroBasedEpochAndTheCurrentRateAsInKeras() {
        // Keras' documented example shape: keep the rate for the first epochs, then lower it
        LearningRateSchedule halveAfterTwo = LearningRateSchedule.of("halve after 2", (epoch, lr) -> epoch < 2 ? lr : lr * 0.5);
        assertEquals(floats(0.1, 0.1, 0.05, 0.025), rates(halveAfterTwo, 0.1, 4));
        LearningRateSchedule byIndex = LearningRateSchedule.of("index", (epoch, lr) -> 0.001 * (epoch + 1));
        List<EpochMetrics> out = SteeredEpochs.of(0.1, "val_loss", Collections.nCopies(3, 1.0)).transform(byIndex)
                .collectList().block();
        for (EpochMetrics e : out) {
            assertEquals((double) (float) (0.001 * e.epoch()), e.value("learning_rate").orElseThrow(),
                    "epoch " + e.epoch() + " (1-based) trains at the schedule's value at " + (e.epoch() - 1));
        }
        assertEquals("LearningRateSchedule(index)", byIndex.describe());
    }

    @Test
    void rateGivesTheScheduleDirectly() {
        assertEquals(0.025, LearningRateSchedule.step(0.5, 10).rate(25, 0.1, 99));
        assertEquals(0.1, LearningRateSchedule.cosine(10, 0.0).rate(0, 0.1, 0.0));
        assertEquals(0.5, LearningRateSchedule.of("f", (e, lr) -> lr / 2).rate(7, 0.1, 1.0));
        assertEquals("epoch must be >= 0, but was -1",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.exponential(0.9).rate(-1, 0.1, 0.1))
                        .getMessage());
    }

    @Test
    void refusesBadArgumentsNamingTheRule() {
        assertEquals("every must be >= 1, but was 0",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(0.5, 0)).getMessage());
        assertEquals("factor must be >= 0 and finite, but was -0.5",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(-0.5, 2)).getMessage());
        assertEquals("gamma must be > 0 and finite, but was 0.0",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.exponential(0)).getMessage());
        assertEquals("epochs must be >= 1, but was 0",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(0, 0)).getMessage());
        assertEquals("minRate must be >= 0 and finite, but was NaN",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(5, Double.NaN)).getMessage());
        assertEquals("name must not be blank, but was ''",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.of("", (e, lr) -> lr)).getMessage());
        assertThrows(NullPointerException.class, () -> LearningRateSchedule.of(null, (e, lr) -> lr));
        assertThrows(NullPointerException.class, () -> LearningRateSchedule.of("f", null));
        assertThrows(NullPointerException.class, () -> LearningRateSchedule.step(0.5, 2).apply(null));
    }

    @Test
    void aFunctionGivingABadRateFailsTheRunNamingTheScheduleAndEpoch() {
        LearningRateSchedule bad = LearningRateSchedule.of("bad", (epoch, lr) -> epoch == 2 ? Double.NaN : lr);
        StepVerifier.create(SteeredEpochs.of(0.1, "val_loss", Collections.nCopies(5, 1.0)).transform(bad))
                .expectNextCount(2)
                .expectErrorSatisfies(e -> assertEquals("LearningRateSchedule(bad) must give a learning rate >= 0 and finite,"
                        + " but gave NaN for epoch index 2", e.getMessage()))
                .verify();
    }

    @Test
    void passesEpochsThroughAndAHandMadeStreamIsLeftAlone() {
        List<EpochMetrics> in = List.of(EpochMetrics.of(1, Map.of("loss", 1.0)), EpochMetrics.of(2, Map.of("loss", 0.5)));
        StepVerifier.create(Flux.fromIterable(in).transform(LearningRateSchedule.step(0.5, 1)), 0)
                .thenRequest(1)
                .expectNext(in.get(0))
                .thenRequest(1)
                .expectNext(in.get(1))
                .verifyComplete();
    }

    @Test
    void everySubscriptionStartsTheScheduleAgain() {
        Flux<EpochMetrics> flux = SteeredEpochs.of(0.1, "val_loss", Collections.nCopies(4, 1.0))
                .transform(LearningRateSchedule.exponential(0.5));
        assertEquals(rates(flux), rates(flux));
        assertEquals(floats(0.1, 0.05, 0.025, 0.0125), rates(flux));
    }

    @Test
    void aResumedScheduleContinuesWhereItWas() {
        LearningRateSchedule schedule = LearningRateSchedule.step(0.5, 3);
        List<Double> whole = rates(schedule, 0.1, 10);
        RuleStates first = RuleStates.tracking();
        AtomicReference<List<RuleStates.Saved>> saved = new AtomicReference<>();
        SteeredEpochs.of(0.1, "val_loss", Collections.nCopies(4, 1.0)).transform(schedule)
                .doOnNext(e -> saved.set(first.save())).contextWrite(first::into).blockLast();
        assertEquals(4, (int) saved.get().get(0).state().get("epochs"));
        List<Double> after = rates(SteeredEpochs.of(0.1, "val_loss", Collections.nCopies(6, 1.0)).transform(schedule)
                .contextWrite(RuleStates.resuming(saved.get())::into));
        assertEquals(whole.subList(4, 10), after);
    }

    @Test
    void aPlateauBelowTheScheduleHasTheLastWordOnItsEpoch() {
        // as Keras' callbacks overwrite each other: the plateau lowers the rate of epoch 3 (it halves the rate the
        // schedule just set); with val_loss improving again, the schedule alone sets epoch 4's
        ReduceLROnPlateau plateau = ReduceLROnPlateau.builder().patience(1).factor(0.5).build();
        List<Double> out = rates(SteeredEpochs.of(0.1, "val_loss", List.of(1.0, 1.0, 0.5, 0.4))
                .transform(LearningRateSchedule.step(1.0, 1)).transform(plateau));
        assertEquals(floats(0.1, 0.1, 0.05, 0.1), out);
        assertTrue(out.get(2) < out.get(3));
    }
}
