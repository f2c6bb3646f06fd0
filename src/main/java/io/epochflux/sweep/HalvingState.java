package io.epochflux.sweep;

import reactor.core.publisher.Sinks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Synchronous successive halving over a fixed set of trials. Every trial starts in rung 0; a trial
 * that reaches a rung's epoch waits there (it does not ask for its next epoch) until every member
 * of the rung has reported, either by reaching the rung's epoch or by ending earlier (its own early
 * stopping), with the lowest {@code val_loss} it reached so far. Then the best
 * {@code max(1, members / reductionFactor)} go on to the next rung (ties go to the lower trial
 * index) and the rest are pruned. Decisions depend only on the trials' values, never on their
 * timing, so the same seed gives the same decisions at any concurrency.
 */
final class HalvingState implements PrunerState {

    private final int[] rungEpochs;
    private final int reductionFactor;
    private final String rule;
    private final List<Set<Integer>> members = new ArrayList<>();
    private final List<Map<Integer, Double>> values = new ArrayList<>();
    private final List<Map<Integer, Sinks.One<Decision>>> waiting = new ArrayList<>();
    private final boolean[] decided;
    private final Map<Integer, Integer> level = new HashMap<>();
    private final Map<Integer, Double> endedBest = new HashMap<>();

    HalvingState(List<Trial> trials, int[] rungEpochs, int reductionFactor, String rule) {
        this.rungEpochs = rungEpochs.clone();
        this.reductionFactor = reductionFactor;
        this.rule = rule;
        for (int k = 0; k < rungEpochs.length; k++) {
            members.add(new LinkedHashSet<>());
            values.add(new HashMap<>());
            waiting.add(new HashMap<>());
        }
        this.decided = new boolean[rungEpochs.length];
        for (Trial t : trials) {
            level.put(t.index(), 0);
            if (rungEpochs.length > 0) {
                members.get(0).add(t.index());
            }
        }
    }

    /** @return whether this state prunes the trial (it is one of its trials) */
    boolean owns(Trial trial) {
        return level.containsKey(trial.index());
    }

    @Override
    public Verdict report(Trial trial, int epoch, double value, double best, boolean ended) {
        List<Runnable> resolutions = new ArrayList<>();
        Sinks.One<Decision> sink = null;
        synchronized (this) {
            int t = trial.index();
            int k = level.getOrDefault(t, rungEpochs.length);
            if (ended) {
                endedBest.put(t, best);
                if (k < rungEpochs.length && epoch <= rungEpochs[k]) {
                    record(k, t, best, resolutions);
                }
            } else if (k < rungEpochs.length && epoch == rungEpochs[k]) {
                sink = Sinks.one();
                waiting.get(k).put(t, sink);
                record(k, t, best, resolutions);
            }
        }
        // outside the lock: a resolved trial goes on to ask for its next epoch
        resolutions.forEach(Runnable::run);
        return sink == null ? Verdict.CONTINUE : Verdict.later(sink.asMono());
    }

    private void record(int k, int t, double best, List<Runnable> resolutions) {
        values.get(k).put(t, best);
        if (decided[k] || values.get(k).size() < members.get(k).size()) {
            return;
        }
        decided[k] = true;
        List<Integer> ranked = new ArrayList<>(members.get(k));
        Map<Integer, Double> v = values.get(k);
        ranked.sort(Comparator.comparingDouble((Integer i) -> Double.isNaN(v.get(i)) ? Double.POSITIVE_INFINITY : v.get(i))
                .thenComparingInt(i -> Double.isNaN(v.get(i)) ? 1 : 0)
                .thenComparingInt(i -> i));
        int keep = Math.max(1, ranked.size() / reductionFactor);
        double lastKept = v.get(ranked.get(keep - 1));
        List<Integer> promoted = new ArrayList<>();
        for (int r = 0; r < ranked.size(); r++) {
            int trial = ranked.get(r);
            Sinks.One<Decision> sink = waiting.get(k).remove(trial);
            if (r < keep) {
                promoted.add(trial);
                if (sink != null) {
                    resolutions.add(() -> sink.tryEmitValue(Decision.CONTINUE));
                }
            } else if (sink != null) {
                Decision d = new Decision(true, k, "pruned at rung " + k + " (epoch " + rungEpochs[k] + ") by " + rule
                        + ": best val_loss " + PrunerState.f(v.get(trial)) + " ranked " + (r + 1) + " of " + ranked.size()
                        + ", and only the best " + keep + " go on (the last of them had " + PrunerState.f(lastKept) + ")");
                resolutions.add(() -> sink.tryEmitValue(d));
            }
        }
        if (k + 1 < rungEpochs.length) {
            for (int trial : promoted) {
                level.put(trial, k + 1);
                members.get(k + 1).add(trial);
            }
            for (int trial : promoted) {
                Double ended = endedBest.get(trial);
                if (ended != null) {
                    // it stopped by itself before this rung: it counts with the best it reached
                    record(k + 1, trial, ended, resolutions);
                }
            }
        } else {
            promoted.forEach(trial -> level.put(trial, rungEpochs.length));
        }
    }
}
