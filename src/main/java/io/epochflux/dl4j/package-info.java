/**
 * The DL4J engine: {@link io.epochflux.dl4j.Dl4jModel} makes a DL4J {@code MultiLayerNetwork} or
 * {@code ComputationGraph} (conv nets, graphs, anything DL4J expresses) a
 * {@link io.epochflux.nn.Trainable}, so it trains as a stream with every stop rule, learning-rate
 * operator, checkpoint and meter. DL4J ({@code org.deeplearning4j:deeplearning4j-nn}) is an
 * optional dependency: declare it to use this package.
 */
package io.epochflux.dl4j;
