package io.epochflux.nn.internal;

import io.epochflux.nn.Optimizer;

/**
 * One optimizer step over heap arrays, with Keras' update rules in float32. Each instance holds
 * one run's optimizer state (velocities, moments, step count).
 */
abstract class HeapUpdater {

    abstract void update(float[] params, float[] grad);

    /** Changes the rate of the following steps; the rest of the state is kept. */
    abstract void setLearningRate(double learningRate);

    static HeapUpdater of(Optimizer optimizer, int size) {
        if (optimizer instanceof Optimizer.Sgd sgd) {
            if (sgd.momentum() == 0.0) {
                return new Plain((float) sgd.learningRate());
            }
            return new Momentum((float) sgd.learningRate(), (float) sgd.momentum(), sgd.nesterov(), size);
        }
        Optimizer.Adam adam = (Optimizer.Adam) optimizer;
        return new Adam(adam, size);
    }

    /** {@code w -= lr * g}. */
    static final class Plain extends HeapUpdater {
        private float lr;

        Plain(float lr) {
            this.lr = lr;
        }

        @Override
        void setLearningRate(double learningRate) {
            this.lr = (float) learningRate;
        }

        @Override
        void update(float[] params, float[] grad) {
            float lr = this.lr;
            for (int k = 0; k < params.length; k++) {
                params[k] -= lr * grad[k];
            }
        }
    }

    /** {@code v = m v - lr g}; {@code w += v}, or {@code w += m v - lr g} with Nesterov. */
    static final class Momentum extends HeapUpdater {
        private float lr;
        private final float momentum;
        private final boolean nesterov;
        private final float[] velocity;

        Momentum(float lr, float momentum, boolean nesterov, int size) {
            this.lr = lr;
            this.momentum = momentum;
            this.nesterov = nesterov;
            this.velocity = new float[size];
        }

        @Override
        void setLearningRate(double learningRate) {
            this.lr = (float) learningRate;
        }

        @Override
        void update(float[] params, float[] grad) {
            float lr = this.lr;
            float m = this.momentum;
            float[] v = velocity;
            if (nesterov) {
                for (int k = 0; k < params.length; k++) {
                    float step = lr * grad[k];
                    v[k] = m * v[k] - step;
                    params[k] += m * v[k] - step;
                }
            } else {
                for (int k = 0; k < params.length; k++) {
                    v[k] = m * v[k] - lr * grad[k];
                    params[k] += v[k];
                }
            }
        }
    }

    /** Keras 3's Adam, operation for operation. */
    static final class Adam extends HeapUpdater {
        private double lr;
        private final double beta1;
        private final double beta2;
        private final float epsilon;
        private final float[] m;
        private final float[] v;
        private long step;

        Adam(Optimizer.Adam config, int size) {
            this.lr = config.learningRate();
            this.beta1 = config.beta1();
            this.beta2 = config.beta2();
            this.epsilon = (float) config.epsilon();
            this.m = new float[size];
            this.v = new float[size];
        }

        @Override
        void setLearningRate(double learningRate) {
            this.lr = learningRate;
        }

        @Override
        void update(float[] params, float[] grad) {
            step++;
            float alpha = (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
            float c1 = (float) (1 - beta1);
            float c2 = (float) (1 - beta2);
            float eps = epsilon;
            float[] m = this.m;
            float[] v = this.v;
            for (int k = 0; k < params.length; k++) {
                float g = grad[k];
                m[k] += (g - m[k]) * c1;
                v[k] += (g * g - v[k]) * c2;
                params[k] -= m[k] * alpha / ((float) Math.sqrt(v[k]) + eps);
            }
        }
    }
}
