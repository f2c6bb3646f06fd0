package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReport;

/**
 * One subscription's state of a stop rule. Every method runs on the thread that delivers the
 * stream's signals, one at a time.
 */
interface Watch {

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
    StopReport finish(StopReport report);

    /** The stream ended without a last epoch passing through here: complete, error or cancel. */
    void end();
}
