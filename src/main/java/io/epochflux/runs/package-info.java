/**
 * Runs you can hand around: a {@link io.epochflux.runs.RunHandle} starts a
 * {@link io.epochflux.train.TrainingRun} once and lets any number of viewers watch it (every epoch
 * so far, then the live ones, then the end), never letting a slow viewer slow the training; a
 * {@link io.epochflux.runs.RunRegistry} gives handles ids, lists them, cancels them by id and
 * retires finished ones after a retention time. The glue a service needs to watch runs over SSE
 * or WebSocket, without any HTTP in it.
 */
package io.epochflux.runs;
