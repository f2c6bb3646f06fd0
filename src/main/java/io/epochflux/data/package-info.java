/**
 * Data for training: the IDX format of MNIST and Fashion-MNIST ({@link io.epochflux.data.Idx}),
 * immutable float32 datasets with one-hot labels ({@link io.epochflux.data.Dataset}), the
 * 10,000-digit sample bundled in the jar and the standard file layout
 * ({@link io.epochflux.data.Mnist}), and the train / validation / test splits of the seed
 * experiment ({@link io.epochflux.data.Split}). Nothing here knows about training or Reactor.
 */
package io.epochflux.data;
