package io.epochflux.sweep;

import io.epochflux.nn.Activation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each pruner's decisions on hand-made trial curves, without training. */
class PrunerTest {

    private static final TrialConfig CONFIG = new TrialConfig(List.of(2), Activation.RELU, "sgd", 0.01, 0, 10,
            OptionalInt.empty());

    private static List<Trial> trials(int n) {
        List<Trial> t = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            t.add(Trial.of(i, CONFIG));
        }
        return t;
    }

    /** The decision a verdict holds now, or the one it resolved to, or null while it waits. */
    private static PrunerState.Decision now(PrunerState.Verdict v) {
        if (v.now() != null) {
            return v.now();
        }
        AtomicReference<PrunerState.Decision> d = new AtomicReference<>();
        v.later().subscribe(d::set);
        return d.get();
    }

    private static boolean pruned(PrunerState.Verdict v) {
        PrunerState.Decision d = now(v);
        assertNotNull(d, "decided");
        return d.prune();
    }

    // ---- median (Optuna's MedianPruner) ----

    @Test
    void medianWaitsForStartupTrialsThenPrunesWorseThanTheMedianOfCompletedTrials() {
        PrunerState s = Pruner.median(2, 0, 1).newState(trials(4), 10, 1);
        List<Trial> t = trials(4);
        // trial 0 completes with values 1.0, 0.8, 0.6 at epochs 1..3
        s.report(t.get(0), 1, 1.0, 1.0, false);
        s.report(t.get(0), 2, 0.8, 0.8, false);
        s.report(t.get(0), 3, 0.6, 0.6, true);
        // only one completed trial: no pruning yet, however bad
        assertFalse(pruned(s.report(t.get(1), 1, 9.0, 9.0, false)));
        s.report(t.get(1), 2, 0.4, 0.4, false);
        s.report(t.get(1), 3, 0.2, 0.2, true);
        // two completed: median at epoch 2 is (0.8 + 0.4) / 2 = 0.6
        assertFalse(pruned(s.report(t.get(2), 1, 0.7, 0.7, false)), "0.7 < median(1.0, 9.0) = 5.0");
        PrunerState.Decision d = now(s.report(t.get(2), 2, 0.65, 0.65, false));
        assertTrue(d.prune(), "best 0.65 > median 0.6");
        assertTrue(d.message().contains("epoch 2") && d.message().contains("0.6500") && d.message().contains("0.6000"),
                d.message());
    }

    @Test
    void medianKeepsATrialThatTiesTheMedianAndComparesItsBestSoFar() {
        PrunerState s = Pruner.median(1, 0, 1).newState(trials(3), 10, 1);
        List<Trial> t = trials(3);
        s.report(t.get(0), 1, 0.5, 0.5, false);
        s.report(t.get(0), 2, 0.5, 0.5, true);
        assertFalse(pruned(s.report(t.get(1), 1, 0.5, 0.5, false)), "equal to the median: not worse");
        // its value at epoch 2 is worse, but its best so far (0.4 at epoch 1) is not
        PrunerState s2 = Pruner.median(1, 0, 1).newState(trials(3), 10, 1);
        s2.report(t.get(0), 1, 0.5, 0.5, false);
        s2.report(t.get(0), 2, 0.45, 0.45, true);
        assertFalse(pruned(s2.report(t.get(1), 1, 0.4, 0.4, false)));
        assertFalse(pruned(s2.report(t.get(1), 2, 0.9, 0.4, false)), "best so far 0.4 < 0.45");
    }

    @Test
    void medianLeavesOutCompletedTrialsThatStoppedEarlyAndPrunedTrials() {
        PrunerState s = Pruner.median(1, 0, 1).newState(trials(4), 10, 1);
        List<Trial> t = trials(4);
        // trial 0 completed by its own early stopping at epoch 2
        s.report(t.get(0), 1, 0.5, 0.5, false);
        s.report(t.get(0), 2, 0.6, 0.5, true);
        // at epoch 3 no completed trial has a value: nothing to compare with, keep going
        s.report(t.get(1), 1, 0.4, 0.4, false);
        s.report(t.get(1), 2, 0.4, 0.4, false);
        assertFalse(pruned(s.report(t.get(1), 3, 5.0, 0.4, false)));
        // trial 2 is pruned at epoch 1 (0.9 > 0.5): it never becomes a completed trial
        assertTrue(pruned(s.report(t.get(2), 1, 0.9, 0.9, false)));
        // trial 3 is compared with trial 0 only (median 0.5), not with the pruned 0.9
        assertTrue(pruned(s.report(t.get(3), 1, 0.55, 0.55, false)));
    }

    @Test
    void medianSkipsWarmupAndChecksEveryIntervalFromIt() {
        PrunerState s = Pruner.median(1, 3, 2).newState(trials(2), 10, 1);
        List<Trial> t = trials(2);
        for (int e = 1; e <= 9; e++) {
            s.report(t.get(0), e, 0.1, 0.1, e == 9);
        }
        List<Integer> checked = new ArrayList<>();
        for (int e = 1; e <= 9; e++) {
            PrunerState fresh = Pruner.median(1, 3, 2).newState(trials(2), 10, 1);
            for (int k = 1; k <= 9; k++) {
                fresh.report(t.get(0), k, 0.1, 0.1, k == 9);
            }
            if (pruned(fresh.report(t.get(1), e, 1.0, 1.0, false))) {
                checked.add(e);
            }
        }
        assertEquals(List.of(3, 5, 7, 9), checked, "Optuna: steps >= n_warmup_steps, every interval_steps from there");
    }

    @Test
    void medianPrunesATrialWhoseValuesAreAllNaN() {
        PrunerState s = Pruner.median(1, 0, 1).newState(trials(2), 10, 1);
        List<Trial> t = trials(2);
        s.report(t.get(0), 1, 0.5, 0.5, true);
        assertTrue(pruned(s.report(t.get(1), 1, Double.NaN, Double.NaN, false)));
    }

    // ---- synchronous successive halving ----

    @Test
    void successiveHalvingWaitsUntilTheRungIsFullThenKeepsTheBestThird() {
        List<Trial> t = trials(6);
        PrunerState s = Pruner.successiveHalving(2, 3).newState(t, 20, 1);
        double[] values = {0.5, 0.3, 0.9, 0.1, 0.7, 0.4};
        List<PrunerState.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            assertEquals(PrunerState.Verdict.CONTINUE, s.report(t.get(i), 1, values[i], values[i], false),
                    "no rung at epoch 1");
            PrunerState.Verdict v = s.report(t.get(i), 2, values[i], values[i], false);
            if (i < 5) {
                assertNull(now(v), "trial " + i + " waits for the rung to fill");
            }
            verdicts.add(v);
        }
        Set<Integer> kept = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            if (!pruned(verdicts.get(i))) {
                kept.add(i);
            }
        }
        assertEquals(Set.of(3, 1), kept, "6 / 3 = 2 go on: 0.1 and 0.3");
        PrunerState.Decision lost = now(verdicts.get(5));
        assertEquals(0, lost.rung());
        assertTrue(lost.message().contains("rung 0 (epoch 2)") && lost.message().contains("0.4000")
                && lost.message().contains("ranked 3 of 6") && lost.message().contains("0.3000"), lost.message());
    }

    @Test
    void successiveHalvingBreaksTiesByTrialIndex() {
        List<Trial> t = trials(3);
        PrunerState s = Pruner.successiveHalving(1, 3).newState(t, 10, 1);
        PrunerState.Verdict v2 = s.report(t.get(2), 1, 0.5, 0.5, false);
        PrunerState.Verdict v1 = s.report(t.get(1), 1, 0.5, 0.5, false);
        PrunerState.Verdict v0 = s.report(t.get(0), 1, 0.5, 0.5, false);
        assertFalse(pruned(v0));
        assertTrue(pruned(v1));
        assertTrue(pruned(v2));
    }

    @Test
    void successiveHalvingCountsATrialThatStoppedEarlyWithItsBest() {
        List<Trial> t = trials(3);
        PrunerState s = Pruner.successiveHalving(5, 3).newState(t, 50, 1);
        // trial 0 stops by its own early stopping at epoch 3 with best 0.2: it counts at rung 0 (epoch 5)
        s.report(t.get(0), 3, 0.25, 0.2, true);
        PrunerState.Verdict v1 = s.report(t.get(1), 5, 0.3, 0.3, false);
        assertNull(now(v1), "the rung waits for trial 2");
        PrunerState.Verdict v2 = s.report(t.get(2), 5, 0.1, 0.1, false);
        // 3 / 3 = 1 goes on: trial 2 (0.1); trial 0 (0.2, already ended) and trial 1 (0.3) do not
        assertFalse(pruned(v2));
        PrunerState.Decision d1 = now(v1);
        assertTrue(d1.prune() && d1.message().contains("ranked 3 of 3"), d1.message());
    }

    @Test
    void successiveHalvingPromotesAnEndedTrialStraightIntoTheNextRung() {
        List<Trial> t = trials(4);
        PrunerState s = Pruner.successiveHalving(2, 2).newState(t, 20, 1);
        // rungs at 2, 4, 8, 16; 4 -> 2 -> 1
        s.report(t.get(0), 1, 0.1, 0.1, true);            // ended at epoch 1, best 0.1
        PrunerState.Verdict a = s.report(t.get(1), 2, 0.2, 0.2, false);
        PrunerState.Verdict b = s.report(t.get(2), 2, 0.3, 0.3, false);
        PrunerState.Verdict c = s.report(t.get(3), 2, 0.4, 0.4, false);
        assertFalse(pruned(a));
        assertTrue(pruned(b));
        assertTrue(pruned(c));
        // rung 1 holds trials 0 (ended: counts at once with 0.1) and 1; trial 1 must beat 0.1 to go on
        PrunerState.Verdict a4 = s.report(t.get(1), 4, 0.15, 0.15, false);
        PrunerState.Decision d = now(a4);
        assertTrue(d.prune() && d.rung() == 1, d.toString());
    }

    // ---- ASHA (Ray Tune's AsyncHyperBandScheduler) ----

    @Test
    void ashaLetsTheFirstArrivalsGoOnAndPrunesWorseThanTheCutoff() {
        List<Trial> t = trials(5);
        PrunerState s = Pruner.asha(1, 3).newState(t, 10, 1);
        assertFalse(pruned(s.report(t.get(0), 1, 0.5, 0.5, false)), "nothing recorded: go on");
        assertFalse(pruned(s.report(t.get(1), 1, 0.4, 0.4, false)), "better than the cutoff 0.5 of [0.5]");
        assertTrue(pruned(s.report(t.get(2), 1, 0.6, 0.6, false)), "worse than the cutoff 0.4333 of [0.4, 0.5]");
    }

    @Test
    void ashaCutoffIsRaysPercentileOfTheValuesRecordedBefore() {
        List<Trial> t = trials(6);
        PrunerState s = Pruner.asha(1, 3).newState(t, 10, 1);
        s.report(t.get(0), 1, 0.5, 0.5, false);
        // recorded [0.5]: cutoff 0.5; 0.9 is worse
        PrunerState.Decision d = now(s.report(t.get(1), 1, 0.9, 0.9, false));
        assertTrue(d.prune(), "Ray prunes when worse than the cutoff of the others");
        assertTrue(d.message().contains("rung 0 (epoch 1)") && d.message().contains("0.9000")
                && d.message().contains("cutoff 0.5000"), d.message());
        // recorded [0.5, 0.9]: the 33.3rd percentile is 0.5 + 0.4 / 3 = 0.6333
        assertFalse(pruned(s.report(t.get(2), 1, 0.6, 0.6, false)));
        // recorded [0.5, 0.6, 0.9]: the 33.3rd percentile is 0.5 + 0.1 * 2/3 = 0.5667; a tie is not worse
        PrunerState s2 = Pruner.asha(1, 3).newState(t, 10, 1);
        s2.report(t.get(0), 1, 0.5, 0.5, false);
        s2.report(t.get(1), 1, 0.5, 0.5, false);
        assertFalse(pruned(s2.report(t.get(2), 1, 0.5, 0.5, false)), "equal to the cutoff: not worse");
        assertFalse(pruned(s.report(t.get(3), 5, 0.1, 0.1, false)), "no rung at epoch 5");
    }

    @Test
    void ashaRecordsATrialThatStoppedEarlyAtEveryRungItDidNotReach() {
        List<Trial> t = trials(3);
        PrunerState s = Pruner.asha(2, 2).newState(t, 20, 1);
        // rungs 2, 4, 8, 16; trial 0 stops at epoch 3 with best 0.1: recorded at 4, 8, 16
        s.report(t.get(0), 2, 0.3, 0.3, false);
        s.report(t.get(0), 3, 0.1, 0.1, true);
        assertTrue(pruned(s.report(t.get(1), 4, 0.2, 0.2, false)), "0.2 is worse than the 0.1 recorded at epoch 4");
        assertFalse(pruned(s.report(t.get(2), 2, 0.2, 0.2, false)), "at epoch 2 trial 0 recorded 0.3");
    }

    // ---- Hyperband ----

    @Test
    void hyperbandSplitsTheTrialsIntoBracketsInHyperbandsProportions() {
        List<Trial> t = trials(48);
        List<List<Trial>> brackets = Pruner.brackets(t, 10, 3, 300, 7);
        assertEquals(List.of(26, 12, 6, 4), brackets.stream().map(List::size).toList(),
                "sMax 3; weights 27, 12, 6, 4 of 49");
        Set<Integer> seen = new HashSet<>();
        brackets.forEach(b -> b.forEach(x -> assertTrue(seen.add(x.index()))));
        assertEquals(48, seen.size());
        assertEquals(brackets, Pruner.brackets(t, 10, 3, 300, 7), "the seed fixes the brackets");
        assertEquals(List.of(11, 33, 100), toList(Pruner.bracketRungs(3, 3, 300)));
        assertEquals(List.of(100), toList(Pruner.bracketRungs(1, 3, 300)));
        assertEquals(List.of(), toList(Pruner.bracketRungs(0, 3, 300)));
        assertEquals(List.of(11, 33, 100), Pruner.hyperband(10, 3).rungEpochs(300));
    }

    @Test
    void hyperbandRunsSuccessiveHalvingInsideEachBracket() {
        List<Trial> t = trials(6);
        PrunerState s = Pruner.hyperband(1, 2).newState(t, 4, 3);
        List<List<Trial>> brackets = Pruner.brackets(t, 1, 2, 4, 3);
        // sMax 2: bracket 2 prunes at epochs 1 and 2, bracket 1 at 2, bracket 0 never
        List<Trial> b0 = brackets.get(brackets.size() - 1);
        for (Trial x : b0) {
            for (int e = 1; e < 4; e++) {
                assertEquals(PrunerState.Verdict.CONTINUE, s.report(x, e, 9.0, 9.0, false));
            }
        }
        List<Trial> b2 = brackets.get(0);
        assertTrue(b2.size() >= 2, brackets.toString());
        List<PrunerState.Verdict> v = new ArrayList<>();
        for (int i = 0; i < b2.size(); i++) {
            v.add(s.report(b2.get(i), 1, 0.1 * (i + 1), 0.1 * (i + 1), false));
        }
        assertFalse(pruned(v.get(0)));
        assertTrue(pruned(v.get(v.size() - 1)));
    }

    @Test
    void rejectsBadSettingsNamingTheRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pruner.asha(10, 1));
        assertEquals("reductionFactor must be >= 2, but was 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pruner.median(-1, 0, 1));
        assertEquals("startupTrials must be >= 0, but was -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pruner.successiveHalving(0, 3));
        assertEquals("minEpochs must be >= 1, but was 0", e.getMessage());
    }

    @Test
    void percentileIsNumpysLinearInterpolation() {
        assertEquals(2.5, PrunerState.percentile(new double[] {1, 2, 3, 4}, 50), 1e-12);
        assertEquals(1.0 + 3 * 0.25, PrunerState.percentile(new double[] {4, 1, Double.NaN, 2, 3}, 25), 1e-12);
        assertTrue(Double.isNaN(PrunerState.percentile(new double[] {Double.NaN}, 50)));
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int v : a) {
            l.add(v);
        }
        return l;
    }
}
