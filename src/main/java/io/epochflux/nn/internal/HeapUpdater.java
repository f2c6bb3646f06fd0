package io.epochflux.nn.internal;

import io.epochflux.nn.Optimizer;

/**
 * One optimizer step over heap arrays, with Keras' update rules in float32. Each instance holds
 * one run's optimizer state (velocities, moments, step count).
 */
abstract class HeapUpdater {

    abstract void update(float[] params, float[] grad);

    static HeapUpdater of(Optimizer optimizer, int size, FloatOps ops) {
        if (optimizer instanceof Optimizer.Sgd sgd) {
            if (sgd.momentum() == 0.0) {
                return new Plain((float) sgd.learningRate());
            }
            return new Momentum((float) sgd.learningRate(), (float) sgd.momentum(), sgd.nesterov(), size);
        }
        Optimizer.Adam adam = (Optimizer.Adam) optimizer;
        return new Adam(adam, size, ops);
    }

    /** {@code w -= lr * g}. */
    static final class Plain extends HeapUpdater {
        private final float lr;

        Plain(float lr) {
            this.lr = lr;
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
        private final float lr;
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
        private final double lr;
        private final double beta1;
        private final double beta2;
        private final float epsilon;
        private final float[] m;
        private final float[] v;
        private final FloatOps ops;
        private long step;

        Adam(Optimizer.Adam config, int size, FloatOps ops) {
            this.lr = config.learningRate();
            this.beta1 = config.beta1();
            this.beta2 = config.beta2();
            this.epsilon = (float) config.epsilon();
            this.m = new float[size];
            this.v = new float[size];
            this.ops = ops;
        }

        @Override
        void update(float[] params, float[] grad) {
            step++;
            float alpha = (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
            ops.adam(params, grad, m, v, alpha, (float) (1 - beta1), (float) (1 - beta2), epsilon);
        }
    }
}
