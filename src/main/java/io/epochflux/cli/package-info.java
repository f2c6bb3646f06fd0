/**
 * The {@code epochflux} command line ({@link io.epochflux.cli.Main}): {@code train},
 * {@code experiment} and {@code bench}, built with picocli. Everything here is wiring of the
 * library's packages; only {@code Main} is meant to be called.
 */
package io.epochflux.cli;
