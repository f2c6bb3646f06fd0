package io.epochflux.nn.internal;

import io.epochflux.nn.Optimizer;
import io.epochflux.nn.OptimizerState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One optimizer step over heap arrays, with Keras' update rules in float32. Each instance holds
 * one run's optimizer state (velocities, moments, step count).
 */
abstract class HeapUpdater {

    abstract void update(float[] params, float[] grad);

    /** Changes the rate of the following steps; the rest of the state is kept. */
    abstract void setLearningRate(double learningRate);

    /** @return a copy of the state, slots laid out as the parameters are */
    abstract OptimizerState export();

    /** Replaces the state with a copy of {@code state}, which must be of this optimizer and size. */
    abstract void load(OptimizerState state);

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
        private float lr;

        Plain(float lr) {
            this.lr = lr;
        }

        @Override
        void setLearningRate(double learningRate) {
            this.lr = (float) learningRate;
    }

    @Override
        OptimizerState export() {
            return OptimizerState.of("sgd", 0, Map.of());
        }

        @Override
        void load(OptimizerState state) {
            state.check("sgd", Set.of(), 0);
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
        OptimizerState export() {
            return OptimizerState.of("sgd", 0, Map.of("velocity", velocity));
        }

        @Override
        void load(OptimizerState state) {
            state.check("sgd", Set.of("velocity"), velocity.length);
            System.arraycopy(state.slot("velocity"), 0, velocity, 0, velocity.length);
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
        void setLearningRate(double learningRate) {
            this.lr = learningRate;
    }

    @Override
        OptimizerState export() {
            Map<String, float[]> slots = new LinkedHashMap<>();
            slots.put("m", m);
            slots.put("v", v);
            return OptimizerState.of("adam", step, slots);
        }

        @Override
        void load(OptimizerState state) {
            state.check("adam", Set.of("m", "v"), m.length);
            System.arraycopy(state.slot("m"), 0, m, 0, m.length);
            System.arraycopy(state.slot("v"), 0, v, 0, v.length);
            step = state.step();
        }

        @Override
        void update(float[] params, float[] grad) {
            step++;
            float alpha = (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
            ops.adam(params, grad, m, v, alpha, (float) (1 - beta1), (float) (1 - beta2), epsilon);
        }
    }
}
