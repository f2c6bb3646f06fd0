/**
 * Data for training: the IDX format of MNIST and Fashion-MNIST ({@link io.epochflux.data.Idx}),
 * CSV tables with a header row ({@link io.epochflux.data.CsvTable}, read into a
 * {@link io.epochflux.data.Table}), immutable float32 datasets for classification (one-hot
 * labels) or regression ({@link io.epochflux.data.Dataset}, {@link io.epochflux.data.Task}), the
 * 10,000-digit sample bundled in the jar and the standard file layout
 * ({@link io.epochflux.data.Mnist}), train / validation / test splits, drawn as the seed
 * experiment draws them or stratified by fractions ({@link io.epochflux.data.Split}), and feature
 * scaling fitted on the training part ({@link io.epochflux.data.Standardization}). Nothing here
 * knows about training or Reactor.
 */
package io.epochflux.data;
