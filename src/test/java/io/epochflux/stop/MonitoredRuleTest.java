package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import org.junit.jupiter.api.Test;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MonitoredRuleTest {

    private static EpochMetrics epoch(int n, double valLoss) {
        return EpochMetrics.of(n, Map.of("val_loss", valLoss, "val_accuracy", 0.5));
    }

    @Test
    void earlyStoppingIsAMonitoredRuleWithItsPatienceInEpochs() {
        EarlyStopping es = EarlyStopping.builder().monitor("val_accuracy").patience(7).build();
        MonitoredRule rule = es;
        assertEquals("val_accuracy", rule.monitor());
        assertEquals(Mode.MAX, rule.mode());
        assertEquals(OptionalInt.of(7), rule.patienceEpochs());
        assertEquals(List.of(es), MonitoredRule.within(es));
        MonitoredRule.Tracker t = rule.newTracker();
        assertNotSame(t, rule.newTracker());
        t.observe(EpochMetrics.of(1, Map.of("val_accuracy", 0.4)));
        t.observe(EpochMetrics.of(2, Map.of("val_accuracy", 0.3)));
        assertEquals(0.4, t.best().getAsDouble());
        assertEquals(1, t.bestEpoch().getAsInt());
        assertEquals(1, t.waited());
    }

    @Test
    void withinFindsTheMonitoredRulesOfNestedCompositionsInArgumentOrder() {
        EarlyStopping loss = EarlyStopping.builder().patience(3).build();
        StopWhen time = StopWhen.noImprovementFor("val_accuracy", Duration.ofMinutes(2));
        StopRule rule = StopRule.anyOf(StopWhen.timeBudget(Duration.ofHours(1)),
                StopRule.allOf(loss, StopWhen.reaches("val_accuracy", 0.9)), time);
        List<MonitoredRule> found = MonitoredRule.within(rule);
        assertEquals(2, found.size());
        assertSame(loss, found.get(0));
        assertEquals("val_accuracy", found.get(1).monitor());
        assertEquals(Mode.MAX, found.get(1).mode());
        assertEquals(OptionalInt.empty(), found.get(1).patienceEpochs(), "a duration, not epochs");
    }

    @Test
    void rulesThatTrackNoBestValueHaveNoMonitoredRule() {
        assertEquals(List.of(), MonitoredRule.within(StopRule.anyOf(StopWhen.timeBudget(Duration.ofMinutes(1)),
                StopWhen.diverges("val_loss", 10), StopWhen.reaches("val_accuracy", 0.9), StopWhen.nonFinite(),
                StopWhen.epoch(StopReason.of("X"), "never", m -> false))));
        assertThrows(NullPointerException.class, () -> MonitoredRule.within(null));
    }

    @Test
    void theNoImprovementForTrackerStopsOnTheEpochTheRuleStopsOn() {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        StopWhen rule = StopWhen.noImprovementFor("val_loss", Duration.ofMinutes(3), Mode.AUTO, 0.0, clock);
        MonitoredRule.Tracker tracker = MonitoredRule.within(rule).get(0).newTracker();
        TestPublisher<EpochMetrics> source = TestPublisher.create();
        List<EpochMetrics> out = new ArrayList<>();
        source.flux().transform(rule).subscribe(out::add);
        double[] losses = {1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.8};
        int trackerStop = 0;
        for (int i = 0; i < losses.length && out.stream().noneMatch(m -> m.stop().isPresent()); i++) {
            clock.advanceTimeBy(Duration.ofMinutes(1));
            EpochMetrics e = epoch(i + 1, losses[i]);
            if (tracker.observe(e) && trackerStop == 0) {
                trackerStop = e.epoch();
            }
            source.next(e);
        }
        EpochMetrics last = out.get(out.size() - 1);
        assertEquals(5, last.stop().orElseThrow().epoch());
        assertEquals(5, trackerStop);
        assertEquals(0.9, tracker.best().getAsDouble());
        assertEquals(2, tracker.bestEpoch().getAsInt());
        assertEquals(3, tracker.waited(), "epochs 3, 4 and 5 did not improve");
        assertTrue(last.stop().get().bestEpoch().isPresent());
    }
}
