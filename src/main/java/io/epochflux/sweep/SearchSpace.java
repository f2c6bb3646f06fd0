package io.epochflux.sweep;

import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.Set;

/**
 * The settings a sweep searches: a list of alternatives for each of layer widths, activation,
 * optimizer, learning rate, momentum, batch size and early stopping's patience. Each dimension not
 * set keeps one alternative, the seed workload's: hidden {@code [2]}, relu, sgd, learning rate 0.01,
 * momentum 0, batch 10, and the sweep's own early stopping.
 *
 * <p>{@link #grid()} is every combination, in a fixed order (hidden outermost, patience innermost);
 * {@link #sample(int, long)} draws combinations with a seed. Momentum applies to SGD only: with
 * adam the momentum alternatives collapse to one, so no two trials train the same way.
 */
public final class SearchSpace {

    private final List<List<Integer>> hidden;
    private final List<Activation> activations;
    private final List<String> optimizers;
    private final List<Double> learningRates;
    private final List<Double> momenta;
    private final List<Integer> batchSizes;
    private final List<OptionalInt> patiences;

    private SearchSpace(Builder b) {
        this.hidden = List.copyOf(b.hidden);
        this.activations = List.copyOf(b.activations);
        this.optimizers = List.copyOf(b.optimizers);
        this.learningRates = List.copyOf(b.learningRates);
        this.momenta = List.copyOf(b.momenta);
        this.batchSizes = List.copyOf(b.batchSizes);
        this.patiences = List.copyOf(b.patiences);
    }

    /** @return a builder with one alternative per dimension, the seed workload's */
    public static Builder builder() {
        return new Builder();
    }

    /** @return every combination, once, in a fixed order */
    public List<TrialConfig> grid() {
        Set<TrialConfig> all = new LinkedHashSet<>();
        for (List<Integer> h : hidden) {
            for (Activation a : activations) {
                for (String o : optimizers) {
                    for (double lr : learningRates) {
                        for (double m : momenta) {
                            for (int b : batchSizes) {
                                for (OptionalInt p : patiences) {
                                    all.add(new TrialConfig(h, a, o, lr, o.equals("adam") ? 0 : m, b, p));
                                }
                            }
                        }
                    }
                }
            }
        }
        return List.copyOf(all);
    }

    /**
     * Draws combinations at random, each dimension uniformly among its alternatives; the same seed
     * gives the same list. Draws may repeat when the space is small.
     *
     * @param count how many, {@code >= 1}
     * @param seed the seed
     * @return {@code count} settings
     */
    public List<TrialConfig> sample(int count, long seed) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, but was " + count);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<TrialConfig> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String o = pick(optimizers, random);
            List<Integer> h = pick(hidden, random);
            Activation a = pick(activations, random);
            double lr = pick(learningRates, random);
            double m = pick(momenta, random);
            int b = pick(batchSizes, random);
            OptionalInt p = pick(patiences, random);
            out.add(new TrialConfig(h, a, o, lr, o.equals("adam") ? 0 : m, b, p));
        }
        return out;
    }

    private static <T> T pick(List<T> list, SplittableRandom random) {
        return list.get(random.nextInt(list.size()));
    }

    /**
     * @return how many combinations the grid has at most (before adam's momentum collapses), or
     *         {@code Long.MAX_VALUE} when that does not fit a long
     */
    public long size() {
        long n = 1;
        for (int dimension : new int[] {hidden.size(), activations.size(), optimizers.size(), learningRates.size(),
            momenta.size(), batchSizes.size(), patiences.size()}) {
            if (n > Long.MAX_VALUE / dimension) {
                return Long.MAX_VALUE; // saturates: a caller comparing it with a limit must not see it wrap
            }
            n *= dimension;
        }
        return n;
    }

    @Override
    public String toString() {
        return "SearchSpace[hidden=" + hidden + ", activation=" + activations + ", optimizer=" + optimizers + ", lr="
                + learningRates + ", momentum=" + momenta + ", batch=" + batchSizes + ", patience=" + patiences + "]";
    }

    /** Builds a {@link SearchSpace}; each setter replaces that dimension's alternatives. */
    public static final class Builder {
        private List<List<Integer>> hidden = List.of(List.of(2));
        private List<Activation> activations = List.of(Activation.RELU);
        private List<String> optimizers = List.of("sgd");
        private List<Double> learningRates = List.of(Optimizer.Sgd.DEFAULT_LEARNING_RATE);
        private List<Double> momenta = List.of(0.0);
        private List<Integer> batchSizes = List.of(10);
        private List<OptionalInt> patiences = List.of(OptionalInt.empty());

        private Builder() {
        }

        private static <T> List<T> alternatives(String name, List<T> values) {
            Objects.requireNonNull(values, name);
            if (values.isEmpty()) {
                throw new IllegalArgumentException(name + " must have at least one alternative, but was empty");
            }
            values.forEach(v -> Objects.requireNonNull(v, name));
            return List.copyOf(new LinkedHashSet<>(values));
        }

        /**
         * Sets the layer-width alternatives (default {@code [[2]]}).
         *
         * @param hidden each alternative a list of widths, outermost first
         * @return this builder
         */
        public Builder hidden(List<List<Integer>> hidden) {
            List<List<Integer>> h = alternatives("hidden", hidden);
            for (List<Integer> layers : h) {
                if (layers.isEmpty() || layers.stream().anyMatch(u -> u == null || u < 1)) {
                    throw new IllegalArgumentException("hidden must be non-empty widths >= 1, but was " + layers);
                }
            }
            this.hidden = h.stream().map(List::copyOf).toList();
            return this;
        }

        /**
         * Sets the activation alternatives (default relu).
         *
         * @param activations the alternatives
         * @return this builder
         */
        public Builder activations(List<Activation> activations) {
            this.activations = alternatives("activations", activations);
            return this;
        }

        /**
         * Sets the optimizer alternatives (default sgd).
         *
         * @param optimizers each {@code sgd} or {@code adam}
         * @return this builder
         */
        public Builder optimizers(List<String> optimizers) {
            List<String> o = alternatives("optimizers", optimizers);
            for (String name : o) {
                if (!name.equals("sgd") && !name.equals("adam")) {
                    throw new IllegalArgumentException("optimizers must be sgd or adam, but was " + name);
                }
            }
            this.optimizers = o;
            return this;
        }

        /**
         * Sets the learning-rate alternatives (default 0.01).
         *
         * @param rates each {@code > 0}
         * @return this builder
         */
        public Builder learningRates(List<Double> rates) {
            List<Double> r = alternatives("learningRates", rates);
            for (double v : r) {
                if (!(v > 0 && Double.isFinite(v))) {
                    throw new IllegalArgumentException("learningRates must be > 0, but was " + v);
                }
            }
            this.learningRates = r;
            return this;
        }

        /**
         * Sets SGD's momentum alternatives (default 0).
         *
         * @param momenta each {@code >= 0} and {@code < 1}
         * @return this builder
         */
        public Builder momenta(List<Double> momenta) {
            List<Double> m = alternatives("momenta", momenta);
            for (double v : m) {
                if (!(v >= 0 && v < 1)) {
                    throw new IllegalArgumentException("momenta must be >= 0 and < 1, but was " + v);
                }
            }
            this.momenta = m;
            return this;
        }

        /**
         * Sets the batch-size alternatives (default 10).
         *
         * @param sizes each {@code >= 1}
         * @return this builder
         */
        public Builder batchSizes(List<Integer> sizes) {
            List<Integer> s = alternatives("batchSizes", sizes);
            for (int v : s) {
                if (v < 1) {
                    throw new IllegalArgumentException("batchSizes must be >= 1, but was " + v);
                }
            }
            this.batchSizes = s;
            return this;
        }

        /**
         * Sets early stopping's patience alternatives (default: the sweep's early stopping as is).
         *
         * @param patiences each {@code >= 0}
         * @return this builder
         */
        public Builder patiences(List<Integer> patiences) {
            List<Integer> p = alternatives("patiences", patiences);
            for (int v : p) {
                if (v < 0) {
                    throw new IllegalArgumentException("patiences must be >= 0, but was " + v);
                }
            }
            this.patiences = p.stream().map(OptionalInt::of).toList();
            return this;
        }

        /** @return the space */
        public SearchSpace build() {
            return new SearchSpace(this);
        }
    }
}
