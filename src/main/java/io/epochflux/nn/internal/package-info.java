/**
 * Not API. The arithmetic behind {@link io.epochflux.nn.Sequential}: the fused heap kernel and its
 * loops (plain, Vector API, BLAS for large products), the all-ND4J reference kernel, the choice
 * between them, and the model file format.
 */
package io.epochflux.nn.internal;
