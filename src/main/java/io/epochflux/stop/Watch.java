package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReport;

/**
 * One subscription's state of a {@link StopRule}: what a rule of your own implements. The rule's
 * operator calls it on the thread that delivers the stream's signals, one call at a time, so a
 * watch needs no synchronisation of its own.
 *
 * <p>The operator guarantees the edges: {@link #observe} sees every epoch in order; on the epoch
 * that ends the stream, whoever decided it (this rule, another rule, the trainer's epoch limit),
 * {@link #finish} runs before the epoch is emitted; when the stream ends without such an epoch
 * passing through (upstream completes or fails, or downstream cancels), {@link #end} runs, and on
 * a cancel it runs before the cancel reaches the trainer, so weights it restores are the ones the
 * run releases the model with.
 */
public interface Watch {

    /**
     * Looks at one epoch.
     *
     * @param epoch the epoch
     * @return this rule's report when it wants the stream to stop here, else null
     */
    StopReport observe(EpochMetrics epoch);

    /**
     * The stream ends at this epoch with this report, whoever decided it: do the end-of-run work
     * (restore weights) and return the report, amended with what this rule knows.
     *
     * @param report the report of the last epoch
     * @return the report to emit
     */
    default StopReport finish(StopReport report) {
        return report;
    }

    /** The stream ended without a last epoch passing through here: complete, error or cancel. */
    default void end() {
    }

    /**
     * Exports this watch's state, for a checkpoint: a watch restored from it by
     * {@link StopRule#resume} must decide exactly as this one would from here on.
     *
     * @return the state; {@link RuleState#EMPTY} for a rule without state worth keeping
     */
    default RuleState save() {
        return RuleState.EMPTY;
    }
}
