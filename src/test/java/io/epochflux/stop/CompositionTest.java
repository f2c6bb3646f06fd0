package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompositionTest {

    /** val_loss and val_accuracy over eight epochs, each with a snapshot that records its restore. */
    private static Epochs twoMetrics() {
        double[] loss = {1.0, 0.8, 0.7, 0.75, 0.72, 0.74, 0.78, 0.9};
        double[] acc = {0.5, 0.6, 0.7, 0.72, 0.71, 0.70, 0.69, 0.65};
        Epochs e = new Epochs();
        for (int i = 0; i < loss.length; i++) {
            int n = i + 1;
            e.epochs.add(EpochMetrics.of(n, Map.of("val_loss", loss[i], "val_accuracy", acc[i]), () -> e.restored.add(n)));
        }
        return e;
    }

    private static EarlyStopping.Builder es(String monitor, int patience) {
        return EarlyStopping.builder().monitor(monitor).patience(patience);
    }

    @Test
    void anyOfStopsOnTheFirstRuleAndNamesIt() {
        Epochs e = twoMetrics();
        StopRule rule = StopRule.anyOf(es("val_loss", 2).build(), es("val_accuracy", 2).build());
        List<EpochMetrics> out = e.through(rule);
        StopReport r = out.get(out.size() - 1).stop().orElseThrow();
        assertEquals(5, r.epoch(), "val_loss: best at 3, worse at 4 and 5");
        assertEquals("EarlyStopping(monitor=val_loss, mode=min, patience=2)", r.rule());
        assertEquals("val_loss", r.monitor().orElseThrow());
        assertTrue(rule.describe().startsWith("anyOf(EarlyStopping(monitor=val_loss"), rule.describe());
    }

    @Test
    void allOfStopsOnlyWhenEveryRuleWouldAndSaysSo() {
        Epochs e = twoMetrics();
        StopRule rule = StopRule.allOf(es("val_loss", 2).build(), es("val_accuracy", 2).build());
        List<EpochMetrics> out = e.through(rule);
        StopReport r = out.get(out.size() - 1).stop().orElseThrow();
        // val_loss wants to stop from epoch 5, val_accuracy (best at 4) from epoch 6
        assertEquals(6, r.epoch());
        assertEquals(StopReason.PATIENCE_EXHAUSTED, r.reason(), "both rules gave the same reason");
        assertTrue(r.message().startsWith("all rules agreed: val_loss did not improve for 3 epochs"), r.message());
        assertTrue(r.message().contains("; val_accuracy did not improve for 2 epochs"), r.message());
        assertEquals(rule.describe(), r.rule());
    }

    @Test
    void allOfWithDifferentReasonsSaysAllConditionsMet() {
        StopRule rule = StopRule.allOf(es("val_loss", 1).build(), StopWhen.reaches("val_accuracy", 0.7));
        StopReport r = twoMetrics().through(rule).stream().reduce((a, b) -> b).orElseThrow().stop().orElseThrow();
        assertEquals(StopReason.ALL_CONDITIONS_MET, r.reason());
        assertEquals(4, r.epoch());
    }

    @Test
    void theRestoringRuleRestoresWhoeverStops() {
        Epochs e = twoMetrics();
        StopRule rule = StopRule.anyOf(StopWhen.reaches("val_accuracy", 0.72),
                es("val_loss", 10).restoreBestWeights(true).build());
        List<EpochMetrics> out = e.through(rule);
        StopReport r = out.get(out.size() - 1).stop().orElseThrow();
        assertEquals(StopReason.TARGET_REACHED, r.reason());
        assertEquals(4, r.epoch());
        assertEquals(3, r.restoredFromEpoch().getAsInt(), "the best val_loss epoch, restored for the target rule");
        assertEquals(List.of(3), e.restored);
    }

    @Test
    void chainedTransformsStopAtTheFirstAndTheUpstreamRuleStillRestores() {
        Epochs e = twoMetrics();
        List<EpochMetrics> out = e.flux()
                .transform(es("val_loss", 10).restoreBestWeights(true).build())
                .transform(StopWhen.reaches("val_accuracy", 0.72))
                .collectList().block();
        assertEquals(4, out.size());
        assertEquals(StopReason.TARGET_REACHED, out.get(3).stop().orElseThrow().reason());
        assertEquals(List.of(3), e.restored, "upstream sees the cancel and restores");
    }

    @Test
    void atMostOneRuleMayRestore() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StopRule.anyOf(
                es("val_loss", 1).restoreBestWeights(true).build(), es("val_accuracy", 1).restoreBestWeights(true).build()));
        assertTrue(e.getMessage().contains("at most one rule in a composition may restore weights, but 2 do"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, StopRule::allOf);
        assertThrows(NullPointerException.class, () -> StopRule.anyOf(es("val_loss", 1).build(), null));
    }

    @Test
    void compositionsCancelUpstreamPassErrorsAndRespectDemand() {
        StopRule rule = StopRule.anyOf(es("val_loss", 0).build(), StopWhen.nonFinite());
        PublisherProbe<EpochMetrics> probe = PublisherProbe.of(twoMetrics().flux());
        assertEquals(4, probe.flux().transform(rule).collectList().block().size());
        probe.assertWasCancelled();

        TestPublisher<EpochMetrics> upstream = TestPublisher.create();
        StepVerifier.create(upstream.flux().transform(rule), 0)
                .thenRequest(1)
                .then(() -> upstream.assertMaxRequested(1))
                .then(() -> upstream.next(EpochMetrics.of(1, Map.of("val_loss", 1.0))))
                .expectNextCount(1)
                .then(() -> upstream.error(new IllegalStateException("boom")))
                .expectErrorMessage("boom")
                .verify(Duration.ofSeconds(5));
        assertEquals(4, twoMetrics().through(rule).size(), "a fresh state per subscription");
    }
}
