/**
 * What a training run shows and leaves behind: Keras-style progress lines
 * ({@link io.epochflux.report.ProgressPrinter}), the history as CSV
 * ({@link io.epochflux.report.HistoryCsv}), the run's {@code report.json}
 * ({@link io.epochflux.report.RunReport}) and PNG charts ({@link io.epochflux.report.Charts}).
 * Every file is written atomically.
 */
package io.epochflux.report;
