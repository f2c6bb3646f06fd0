package io.epochflux.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A stop rule across the trials of a sweep: it sees every trial's {@code val_loss} and ends the
 * streams of the trials that lose, each with a {@code PRUNED} {@link io.epochflux.train.StopReport}
 * whose message names the rung and the value that lost. Ending the stream stops the trial's
 * training (no batch runs after the prune). A pruner is an immutable configuration: each sweep
 * subscription makes its own state, so one pruner can serve many sweeps.
 *
 * <table>
 * <caption>The pruners</caption>
 * <tr><th>factory</th><th>decides</th><th>waits</th><th>deterministic</th></tr>
 * <tr><td>{@link #none()}</td><td>never</td><td>no</td><td>yes</td></tr>
 * <tr><td>{@link #median}</td><td>every step, against completed trials (Optuna's MedianPruner)</td><td>no</td>
 *     <td>at concurrency 1</td></tr>
 * <tr><td>{@link #successiveHalving}</td><td>when a rung is full</td><td>yes, holding no thread</td>
 *     <td>at any concurrency</td></tr>
 * <tr><td>{@link #asha}</td><td>as each trial arrives at a rung (Ray Tune's ASHA)</td><td>no</td>
 *     <td>at concurrency 1</td></tr>
 * <tr><td>{@link #hyperband}</td><td>brackets of successive halving</td><td>yes</td><td>at any concurrency</td></tr>
 * </table>
 *
 * <p>The value compared is always the lowest {@code val_loss} a trial reached so far (Optuna's
 * "best intermediate result"), and a trial that ended by its own early stopping before a rung
 * counts there with the best value it reached. Rungs lie at {@code minEpochs * reductionFactor^k}
 * below the sweep's epoch limit.
 */
public abstract class Pruner {

    /** The default epochs before the first rung of successive halving, ASHA and Hyperband. */
    public static final int DEFAULT_MIN_EPOCHS = 10;
    /** The default reduction factor: a third of the trials go on at each rung. */
    public static final int DEFAULT_REDUCTION_FACTOR = 3;

    Pruner() {
    }

    /** @return a pruner that never prunes: every trial trains until its own stop */
    public static Pruner none() {
        return new Pruner() {
            @Override
            PrunerState newState(List<Trial> trials, int maxEpochs, long seed) {
                return PrunerState.NONE;
            }

            @Override
            public String describe() {
                return "none";
            }
        };
    }

    /** @return Optuna's defaults: {@code median(5, 0, 1)} */
    public static Pruner median() {
        return median(5, 0, 1);
    }

    /**
     * Optuna's {@code MedianPruner(n_startup_trials, n_warmup_steps, interval_steps)}: prune a
     * trial whose best {@code val_loss} so far is worse than the median of the completed trials'
     * {@code val_loss} at the same epoch. The step is the 1-based epoch.
     *
     * @param startupTrials completed trials before any pruning, {@code >= 0}
     * @param warmupSteps epochs below this are never pruned, {@code >= 0}
     * @param intervalSteps epochs between checks from the warm-up on, {@code >= 1}
     * @return the pruner
     */
    public static Pruner median(int startupTrials, int warmupSteps, int intervalSteps) {
        atLeast("startupTrials", startupTrials, 0);
        atLeast("warmupSteps", warmupSteps, 0);
        atLeast("intervalSteps", intervalSteps, 1);
        String d = "median(startupTrials=" + startupTrials + ", warmupSteps=" + warmupSteps + ", intervalSteps="
                + intervalSteps + ")";
        return new Pruner() {
            @Override
            PrunerState newState(List<Trial> trials, int maxEpochs, long seed) {
                return new MedianState(startupTrials, warmupSteps, intervalSteps, "the median rule");
            }

            @Override
            public String describe() {
                return d;
            }
        };
    }

    /**
     * Synchronous successive halving: rungs at {@code minEpochs * reductionFactor^k}; a rung is
     * decided when every trial in it has reported, and the best {@code max(1, n / reductionFactor)}
     * go on. Trials waiting for their rung hold no thread. The same seed gives the same trials,
     * decisions and results at any concurrency.
     *
     * @param minEpochs the first rung's epoch, {@code >= 1}
     * @param reductionFactor {@code >= 2}
     * @return the pruner
     */
    public static Pruner successiveHalving(int minEpochs, int reductionFactor) {
        atLeast("minEpochs", minEpochs, 1);
        atLeast("reductionFactor", reductionFactor, 2);
        String d = "successive-halving(minEpochs=" + minEpochs + ", reductionFactor=" + reductionFactor + ")";
        return new Pruner() {
            @Override
            PrunerState newState(List<Trial> trials, int maxEpochs, long seed) {
                return new HalvingState(trials, rungs(minEpochs, reductionFactor, maxEpochs), reductionFactor,
                        "successive halving");
            }

            @Override
            public List<Integer> rungEpochs(int maxEpochs) {
                return toList(rungs(minEpochs, reductionFactor, maxEpochs));
            }

            @Override
            public String describe() {
                return d;
            }
        };
    }

    /**
     * Asynchronous successive halving as Ray Tune's {@code ASHAScheduler} (grace period
     * {@code minEpochs}, {@code reduction_factor}): a trial reaching a rung is pruned when it is
     * worse than the best {@code 1 / reductionFactor} of the trials recorded there before it. No
     * trial waits, so the outcome depends on the order trials arrive in: deterministic at
     * concurrency 1, not above.
     *
     * @param minEpochs the first rung's epoch (Ray's grace period), {@code >= 1}
     * @param reductionFactor {@code >= 2}
     * @return the pruner
     */
    public static Pruner asha(int minEpochs, int reductionFactor) {
        atLeast("minEpochs", minEpochs, 1);
        atLeast("reductionFactor", reductionFactor, 2);
        String d = "asha(minEpochs=" + minEpochs + ", reductionFactor=" + reductionFactor + ")";
        return new Pruner() {
            @Override
            PrunerState newState(List<Trial> trials, int maxEpochs, long seed) {
                return new AshaState(rungs(minEpochs, reductionFactor, maxEpochs), reductionFactor, "ASHA");
            }

            @Override
            public List<Integer> rungEpochs(int maxEpochs) {
                return toList(rungs(minEpochs, reductionFactor, maxEpochs));
            }

            @Override
            public String describe() {
                return d;
            }
        };
    }

    /**
     * Hyperband (Li et al.): the trials, shuffled with the sweep's seed, are split into brackets
     * {@code s = sMax .. 0} with {@code sMax = floor(log_reductionFactor(epochs / minEpochs))},
     * in proportion to Hyperband's {@code ceil((sMax + 1) / (s + 1) * reductionFactor^s)}; bracket
     * {@code s} runs synchronous successive halving with its first rung at
     * {@code round(epochs / reductionFactor^s)}, so bracket 0 trains its trials without pruning.
     * Deterministic at any concurrency.
     *
     * @param minEpochs the smallest bracket's first rung, {@code >= 1}
     * @param reductionFactor {@code >= 2}
     * @return the pruner
     */
    public static Pruner hyperband(int minEpochs, int reductionFactor) {
        atLeast("minEpochs", minEpochs, 1);
        atLeast("reductionFactor", reductionFactor, 2);
        String d = "hyperband(minEpochs=" + minEpochs + ", reductionFactor=" + reductionFactor + ")";
        return new Pruner() {
            @Override
            PrunerState newState(List<Trial> trials, int maxEpochs, long seed) {
                List<List<Trial>> brackets = brackets(trials, minEpochs, reductionFactor, maxEpochs, seed);
                int sMax = brackets.size() - 1;
                List<HalvingState> states = new ArrayList<>();
                for (int i = 0; i < brackets.size(); i++) {
                    int s = sMax - i;
                    states.add(new HalvingState(brackets.get(i), bracketRungs(s, reductionFactor, maxEpochs),
                            reductionFactor, "hyperband bracket " + s));
                }
                return (trial, epoch, value, best, ended) -> {
                    for (HalvingState state : states) {
                        if (state.owns(trial)) {
                            return state.report(trial, epoch, value, best, ended);
                        }
                    }
                    return PrunerState.Verdict.CONTINUE;
                };
            }

            @Override
            public List<Integer> rungEpochs(int maxEpochs) {
                TreeSet<Integer> all = new TreeSet<>();
                for (int s = sMax(minEpochs, reductionFactor, maxEpochs); s >= 0; s--) {
                    all.addAll(toList(bracketRungs(s, reductionFactor, maxEpochs)));
                }
                return List.copyOf(all);
            }

            @Override
            public String describe() {
                return d;
            }
        };
    }

    /**
     * Makes the state of one sweep.
     *
     * @param trials the trials this sweep runs (its shard)
     * @param maxEpochs the sweep's epoch limit
     * @param seed the sweep's seed
     * @return fresh state
     */
    abstract PrunerState newState(List<Trial> trials, int maxEpochs, long seed);

    /**
     * The epochs at which this pruner decides, for charts and reports.
     *
     * @param maxEpochs the sweep's epoch limit
     * @return the rungs' epochs, ascending; empty for pruners without rungs
     */
    public List<Integer> rungEpochs(int maxEpochs) {
        return List.of();
    }

    /**
     * Describes the pruner, for reports: {@code asha(minEpochs=10, reductionFactor=3)}.
     *
     * @return a description
     */
    public abstract String describe();

    @Override
    public String toString() {
        return describe();
    }

    static int[] rungs(int minEpochs, int reductionFactor, int maxEpochs) {
        List<Integer> r = new ArrayList<>();
        for (long e = minEpochs; e < maxEpochs; e *= reductionFactor) {
            r.add((int) e);
        }
        return r.stream().mapToInt(Integer::intValue).toArray();
    }

    static int sMax(int minEpochs, int reductionFactor, int maxEpochs) {
        int s = 0;
        for (long e = (long) minEpochs * reductionFactor; e <= maxEpochs; e *= reductionFactor) {
            s++;
        }
        return s;
    }

    static int[] bracketRungs(int s, int reductionFactor, int maxEpochs) {
        List<Integer> r = new ArrayList<>();
        for (int i = s; i >= 1; i--) {
            int e = (int) Math.max(1, Math.round(maxEpochs / Math.pow(reductionFactor, i)));
            if (e < maxEpochs && (r.isEmpty() || e > r.get(r.size() - 1))) {
                r.add(e);
            }
        }
        return r.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Hyperband's brackets, largest {@code s} first, each a share of the seeded shuffle of the trials. */
    static List<List<Trial>> brackets(List<Trial> trials, int minEpochs, int reductionFactor, int maxEpochs, long seed) {
        int sMax = sMax(minEpochs, reductionFactor, maxEpochs);
        double[] weight = new double[sMax + 1];
        double total = 0;
        for (int i = 0; i <= sMax; i++) {
            int s = sMax - i;
            weight[i] = Math.ceil((sMax + 1.0) / (s + 1) * Math.pow(reductionFactor, s));
            total += weight[i];
        }
        int n = trials.size();
        int[] count = new int[sMax + 1];
        double[] remainder = new double[sMax + 1];
        int given = 0;
        for (int i = 0; i <= sMax; i++) {
            double exact = n * weight[i] / total;
            count[i] = (int) Math.floor(exact);
            remainder[i] = exact - count[i];
            given += count[i];
        }
        // largest remainders first, then the larger bracket, so the split is fixed by n alone
        while (given < n) {
            int best = 0;
            for (int i = 1; i <= sMax; i++) {
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            count[best]++;
            remainder[best] = -1;
            given++;
        }
        List<Trial> shuffled = new ArrayList<>(trials);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Trial tmp = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, tmp);
        }
        List<List<Trial>> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= sMax; i++) {
            out.add(List.copyOf(shuffled.subList(from, from + count[i])));
            from += count[i];
        }
        return out;
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int v : a) {
            l.add(v);
        }
        return List.copyOf(l);
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", but was " + value);
        }
    }
}
