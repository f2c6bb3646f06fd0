package io.epochflux.nn;

/**
 * How parameters move against their gradient, with Keras' update rules and defaults. An
 * optimizer is a configuration: every training run starts it with fresh state (velocities,
 * moments, step count).
 */
public sealed interface Optimizer permits Optimizer.Sgd, Optimizer.Adam {

    /**
     * Stochastic gradient descent with Keras' defaults: learning rate 0.01, no momentum.
     *
     * @return plain SGD
     */
    static Sgd sgd() {
        return new Sgd(Sgd.DEFAULT_LEARNING_RATE, 0.0, false);
    }

    /**
     * Stochastic gradient descent without momentum.
     *
     * @param learningRate {@code > 0}
     * @return plain SGD
     */
    static Sgd sgd(double learningRate) {
        return new Sgd(learningRate, 0.0, false);
    }

    /**
     * Stochastic gradient descent with momentum, optionally Nesterov's.
     *
     * @param learningRate {@code > 0}
     * @param momentum {@code 0 <= momentum < 1}
     * @param nesterov whether to use Nesterov momentum
     * @return SGD with momentum
     */
    static Sgd sgd(double learningRate, double momentum, boolean nesterov) {
        return new Sgd(learningRate, momentum, nesterov);
    }

    /**
     * Adam with Keras' defaults: learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7.
     *
     * @return Adam
     */
    static Adam adam() {
        return new Adam(Adam.DEFAULT_LEARNING_RATE, 0.9, 0.999, 1e-7);
    }

    /**
     * Adam with Keras' defaults and the given learning rate.
     *
     * @param learningRate {@code > 0}
     * @return Adam
     */
    static Adam adam(double learningRate) {
        return new Adam(learningRate, 0.9, 0.999, 1e-7);
    }

    /**
     * Returns the learning rate.
     *
     * @return the step size, {@code > 0}
     */
    double learningRate();

    /**
     * Returns the Keras name of the optimizer.
     *
     * @return {@code sgd} or {@code adam}
     */
    String name();

    /**
     * Keras' SGD: {@code v = momentum * v - lr * g}; then {@code w += v}, or with Nesterov
     * {@code w += momentum * v - lr * g}. Without momentum, {@code w -= lr * g}.
     *
     * @param learningRate {@code > 0}
     * @param momentum {@code 0 <= momentum < 1}
     * @param nesterov whether to use Nesterov momentum
     */
    record Sgd(double learningRate, double momentum, boolean nesterov) implements Optimizer {

        /** Keras' default learning rate for SGD. */
        public static final double DEFAULT_LEARNING_RATE = 0.01;

        /**
         * Checks the arguments.
         *
         * @param learningRate {@code > 0}
         * @param momentum {@code 0 <= momentum < 1}
         * @param nesterov whether to use Nesterov momentum
         */
        public Sgd {
            checkLearningRate(learningRate);
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be >= 0 and < 1, but was " + momentum);
            }
        }

        @Override
        public String name() {
            return "sgd";
        }
    }

    /**
     * Keras' Adam: {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
     * {@code w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)}.
     *
     * @param learningRate {@code > 0}
     * @param beta1 {@code 0 <= beta1 < 1}
     * @param beta2 {@code 0 <= beta2 < 1}
     * @param epsilon {@code > 0}
     */
    record Adam(double learningRate, double beta1, double beta2, double epsilon) implements Optimizer {

        /** Keras' default learning rate for Adam. */
        public static final double DEFAULT_LEARNING_RATE = 0.001;

        /**
         * Checks the arguments.
         *
         * @param learningRate {@code > 0}
         * @param beta1 {@code 0 <= beta1 < 1}
         * @param beta2 {@code 0 <= beta2 < 1}
         * @param epsilon {@code > 0}
         */
        public Adam {
            checkLearningRate(learningRate);
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("beta1 must be >= 0 and < 1, but was " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("beta2 must be >= 0 and < 1, but was " + beta2);
            }
            if (!(epsilon > 0 && Double.isFinite(epsilon))) {
                throw new IllegalArgumentException("epsilon must be > 0 and finite, but was " + epsilon);
            }
        }

        @Override
        public String name() {
            return "adam";
        }
    }

    private static void checkLearningRate(double learningRate) {
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learningRate must be > 0 and finite, but was " + learningRate);
        }
    }
}
