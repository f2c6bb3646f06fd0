/**
 * Not API. Helpers for the JSON forms of the {@code io.epochflux.train} values: doubles written
 * as JSON numbers when finite and as the strings {@code "NaN"}, {@code "Infinity"} and
 * {@code "-Infinity"} otherwise, since JSON has no literal for them.
 */
package io.epochflux.train.internal;
