package io.epochflux.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Optuna's {@code MedianPruner} ({@code PercentilePruner} at 50): a trial is pruned at step
 * {@code s} when its best value so far is worse than the median of the values that the
 * <em>completed</em> trials reported at step {@code s}. Pruning waits until
 * {@code startupTrials} trials have completed, skips steps below {@code warmupSteps}, and checks
 * every {@code intervalSteps} from there. Pruned trials are not completed and never count;
 * completed trials that did not reach step {@code s} (early stopping) are left out of that step's
 * median, as Optuna leaves them out. A trial whose best so far is NaN is pruned, as Optuna does.
 * The step is the 1-based epoch. The answer is always immediate: no trial waits.
 */
final class MedianState implements PrunerState {

    private final int startupTrials;
    private final int warmupSteps;
    private final int intervalSteps;
    private final String rule;
    private final Map<Integer, Map<Integer, Double>> running = new HashMap<>();
    private final List<Map<Integer, Double>> completed = new ArrayList<>();

    MedianState(int startupTrials, int warmupSteps, int intervalSteps, String rule) {
        this.startupTrials = startupTrials;
        this.warmupSteps = warmupSteps;
        this.intervalSteps = intervalSteps;
        this.rule = rule;
    }

    @Override
    public synchronized Verdict report(Trial trial, int epoch, double value, double best, boolean ended) {
        Map<Integer, Double> values = running.computeIfAbsent(trial.index(), i -> new HashMap<>());
        values.put(epoch, value);
        if (ended) {
            completed.add(running.remove(trial.index()));
            return Verdict.CONTINUE;
        }
        int n = completed.size();
        if (n == 0 || n < startupTrials || epoch < warmupSteps || (epoch - warmupSteps) % intervalSteps != 0) {
            return Verdict.CONTINUE;
        }
        int rung = (epoch - warmupSteps) / intervalSteps;
        if (Double.isNaN(best)) {
            running.remove(trial.index());
            return Verdict.now(new Decision(true, rung, "pruned at epoch " + epoch + " by the median rule: its val_loss"
                    + " has been NaN throughout"));
        }
        double[] others = completed.stream().filter(c -> c.containsKey(epoch)).mapToDouble(c -> c.get(epoch)).toArray();
        if (others.length == 0) {
            return Verdict.CONTINUE;
        }
        double median = PrunerState.percentile(others, 50);
        if (Double.isNaN(median) || !(best > median)) {
            return Verdict.CONTINUE;
        }
        running.remove(trial.index());
        return Verdict.now(new Decision(true, rung, "pruned at epoch " + epoch + " (check " + rung + ") by " + rule
                + ": best val_loss " + PrunerState.f(best) + " is worse than the median " + PrunerState.f(median)
                + " of " + others.length + " completed trials at that epoch"));
    }
}
