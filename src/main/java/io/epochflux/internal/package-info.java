/**
 * Not API. Small utilities every package uses: atomic file writes, number formatting, the heap
 * checks, shuffles, the kernels' in-place view of a dataset, and the JSON forms' helpers for
 * doubles JSON cannot spell ({@code "NaN"}, {@code "Infinity"}) and optional integers.
 */
package io.epochflux.internal;
