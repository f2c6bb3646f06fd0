package io.epochflux.train;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core hook: operators steer a run's learning rate through {@link RunLink}. */
class RunLinkLearningRateTest {

    private static final Split SPLIT = TestData.seedSplit();

    private static Flux<EpochMetrics> fit(int epochs) {
        Sequential model = Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
        return Trainer.builder().epochs(epochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10).build()
                .fit(model, SPLIT.train(), SPLIT.validation());
    }

    /** An operator of one's own: sets the rate while subscribing and on every epoch, recording what it read. */
    private static Flux<EpochMetrics> steer(Flux<EpochMetrics> epochs, List<Double> read) {
        return Flux.deferContextual(downstream -> {
            RunLink link = RunLink.steering(downstream);
            link.setLearningRate(0.05); // before the run connects: applies to epoch 1
            return epochs.contextWrite(link::into).doOnNext(e -> {
                read.add(link.learningRate().orElseThrow());
                link.setLearningRate(0.02 * e.epoch());
            });
        });
    }

    @Test
    void aChangeMadeOnEpochNAppliesToEpochNPlusOneAndOneMadeWhileSubscribingToEpochOne() {
        List<Double> read = new java.util.ArrayList<>();
        List<Double> rates = steer(fit(3), read).map(e -> e.value(RunLink.LEARNING_RATE).orElseThrow()).collectList().block();
        assertEquals(List.of((double) 0.05f, (double) 0.02f, (double) 0.04f), rates);
        assertEquals(List.of((double) 0.05f, (double) 0.02f, (double) 0.04f), read, "learningRate(): the rate in force");
    }

    @Test
    void aRateTheRunCannotUseFailsItNamingTheEpoch() {
        Flux<EpochMetrics> bad = Flux.deferContextual(downstream -> {
            RunLink link = RunLink.steering(downstream);
            return fit(5).contextWrite(link::into).doOnNext(e -> link.updateLearningRate(r -> Double.NaN));
        });
        StepVerifier.create(bad)
                .expectNextCount(1)
                .expectErrorSatisfies(e -> {
                    assertTrue(e instanceof TrainingException, e.toString());
                    assertTrue(e.getCause().getMessage().contains("learning rate must be >= 0 and finite, but was NaN"),
                            e.getCause().getMessage());
                })
                .verify();
    }

    @Test
    void withoutARunThereIsNoRateAndBadRatesAreRefused() {
        RunLink link = RunLink.steering(Context.empty());
        assertTrue(link.learningRate().isEmpty());
        assertEquals("learning rate must be >= 0 and finite, but was -0.1",
                assertThrows(IllegalArgumentException.class, () -> link.setLearningRate(-0.1)).getMessage());
        assertEquals("learning rate must be >= 0 and finite, but was Infinity",
                assertThrows(IllegalArgumentException.class, () -> link.setLearningRate(Double.POSITIVE_INFINITY)).getMessage());
        assertThrows(NullPointerException.class, () -> link.updateLearningRate(null));
        assertThrows(NullPointerException.class, () -> RunLink.steering(null));
    }

    @Test
    void onlyAStreamWithASteeringLinkReportsTheRate() {
        assertTrue(fit(1).blockLast().value(RunLink.LEARNING_RATE).isEmpty());
        EpochMetrics below = fit(1).contextWrite(c -> RunLink.steering(c).into(c)).blockLast();
        assertEquals((double) 0.01f, below.value(RunLink.LEARNING_RATE).orElseThrow());
    }
}
