package io.epochflux.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * Asynchronous successive halving as Ray Tune's {@code AsyncHyperBandScheduler} decides: when a
 * trial reaches a rung's epoch, its value is compared with the values recorded at that rung so far
 * (not counting its own); it is pruned when it is worse than the cutoff that keeps the best
 * {@code 1 / reductionFactor} of them (numpy's linear percentile, as Ray computes it), and its
 * value is recorded either way. Nobody waits: a trial that arrives first always goes on, so
 * decisions depend on the order trials arrive in. At concurrency 1 that order is the trials' order
 * and the sweep is deterministic; at higher concurrency it is not.
 *
 * <p>Two choices differ from Ray: the value compared is the lowest {@code val_loss} so far (Ray
 * compares the last reported result), since the sweep ranks trials by their best; and a trial that
 * ends by its own early stopping records its best value at every rung it did not reach.
 */
final class AshaState implements PrunerState {

    private final int[] rungEpochs;
    private final int reductionFactor;
    private final String rule;
    private final List<List<Double>> recorded = new ArrayList<>();

    AshaState(int[] rungEpochs, int reductionFactor, String rule) {
        this.rungEpochs = rungEpochs.clone();
        this.reductionFactor = reductionFactor;
        this.rule = rule;
        for (int k = 0; k < rungEpochs.length; k++) {
            recorded.add(new ArrayList<>());
        }
    }

    @Override
    public synchronized Verdict report(Trial trial, int epoch, double value, double best, boolean ended) {
        if (ended) {
            for (int k = 0; k < rungEpochs.length; k++) {
                if (epoch <= rungEpochs[k]) {
                    recorded.get(k).add(best);
                }
            }
            return Verdict.CONTINUE;
        }
        for (int k = 0; k < rungEpochs.length; k++) {
            if (epoch != rungEpochs[k]) {
                continue;
            }
            List<Double> here = recorded.get(k);
            double cutoff = here.isEmpty() ? Double.NaN
                    : PrunerState.percentile(here.stream().mapToDouble(Double::doubleValue).toArray(), 100.0 / reductionFactor);
            int before = here.size();
            here.add(best);
            // NaN compares false: a trial with no value yet, or a rung without values, goes on (as in Ray)
            if (best > cutoff) {
                return Verdict.now(new Decision(true, k, "pruned at rung " + k + " (epoch " + epoch + ") by " + rule
                        + ": best val_loss " + PrunerState.f(best) + " is worse than the cutoff " + PrunerState.f(cutoff)
                        + " that keeps the best 1/" + reductionFactor + " of the " + before + " trials recorded there"));
            }
            return Verdict.CONTINUE;
        }
        return Verdict.CONTINUE;
    }
}
