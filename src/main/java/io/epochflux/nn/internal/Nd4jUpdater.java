package io.epochflux.nn.internal;

import io.epochflux.nn.Optimizer;
import io.epochflux.nn.OptimizerState;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One optimizer step over ND4J arrays, with the same Keras update rules as {@link HeapUpdater}.
 * Gradients are consumed (overwritten). Temporaries land in the caller's workspace.
 */
abstract class Nd4jUpdater {

    abstract void update(INDArray[] w, INDArray[] b, INDArray[] gw, INDArray[] gb);

    abstract void close();

    /** Changes the rate of the following steps; the rest of the state is kept. */
    abstract void setLearningRate(double learningRate);

    /** @return a copy of the state, slots laid out as {@code layout} lays out the parameters */
    abstract OptimizerState export(Layout layout);

    /** Replaces the state with {@code state}, which must be of this optimizer and shape. */
    abstract void load(OptimizerState state, Layout layout);

    /** Flattens per-layer arrays shaped like the weights and biases, as {@link Layout} lays out parameters. */
    private static float[] flatten(Layout layout, INDArray[] w, INDArray[] b) {
        float[] dst = new float[layout.parameterCount()];
        for (int l = 0; l < w.length; l++) {
            System.arraycopy(w[l].data().asFloat(), 0, dst, layout.weightOffset(l), (int) w[l].length());
            System.arraycopy(b[l].data().asFloat(), 0, dst, layout.biasOffset(l), (int) b[l].length());
        }
        return dst;
    }

    private static void unflatten(Layout layout, float[] src, INDArray[] w, INDArray[] b) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int l = 0; l < w.length; l++) {
                int out = layout.units(l);
                int in = layout.fanIn(l);
                float[] weights = java.util.Arrays.copyOfRange(src, layout.weightOffset(l), layout.weightOffset(l) + out * in);
                float[] biases = java.util.Arrays.copyOfRange(src, layout.biasOffset(l), layout.biasOffset(l) + out);
                w[l].assign(Nd4j.create(weights, new long[] {out, in}, 'c').castTo(w[l].dataType()));
                b[l].assign(Nd4j.create(biases, new long[] {out}, 'c').castTo(b[l].dataType()));
            }
        }
    }

    static Nd4jUpdater of(Optimizer optimizer, INDArray[] w, INDArray[] b) {
        if (optimizer instanceof Optimizer.Sgd sgd) {
            if (sgd.momentum() == 0.0) {
                return new Plain(sgd.learningRate());
            }
            return new Momentum(sgd, w, b);
        }
        return new Adam((Optimizer.Adam) optimizer, w, b);
    }

    private static INDArray[] zerosLike(INDArray[] arrays) {
        INDArray[] result = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            result[i] = Nd4j.zeros(arrays[i].dataType(), arrays[i].shape());
        }
        return result;
    }

    private static void close(INDArray[]... groups) {
        for (INDArray[] group : groups) {
            for (INDArray array : group) {
                array.close();
            }
        }
    }

    /** {@code w -= lr * g}. */
    static final class Plain extends Nd4jUpdater {
        private double lr;

        Plain(double lr) {
            this.lr = lr;
        }

        @Override
        void setLearningRate(double learningRate) {
            this.lr = learningRate;
        }

        @Override
        void update(INDArray[] w, INDArray[] b, INDArray[] gw, INDArray[] gb) {
            for (int l = 0; l < w.length; l++) {
                w[l].subi(gw[l].muli(lr));
                b[l].subi(gb[l].muli(lr));
            }
        }

        @Override
        void close() {
        }

        @Override
        OptimizerState export(Layout layout) {
            return OptimizerState.of("sgd", 0, java.util.Map.of());
        }

        @Override
        void load(OptimizerState state, Layout layout) {
            state.check("sgd", java.util.Set.of(), layout.parameterCount());
        }
    }

    /** {@code v = m v - lr g}; {@code w += v}, or {@code w += m v - lr g} with Nesterov. */
    static final class Momentum extends Nd4jUpdater {
        private double lr;
        private final double momentum;
        private final boolean nesterov;
        private final INDArray[] vw;
        private final INDArray[] vb;

        Momentum(Optimizer.Sgd sgd, INDArray[] w, INDArray[] b) {
            this.lr = sgd.learningRate();
            this.momentum = sgd.momentum();
            this.nesterov = sgd.nesterov();
            this.vw = zerosLike(w);
            this.vb = zerosLike(b);
        }

        @Override
        void setLearningRate(double learningRate) {
            this.lr = learningRate;
        }

        @Override
        void update(INDArray[] w, INDArray[] b, INDArray[] gw, INDArray[] gb) {
            for (int l = 0; l < w.length; l++) {
                step(w[l], gw[l], vw[l]);
                step(b[l], gb[l], vb[l]);
            }
        }

        private void step(INDArray p, INDArray g, INDArray v) {
            g.muli(lr);
            v.muli(momentum).subi(g);
            if (nesterov) {
                p.addi(v.mul(momentum).subi(g));
            } else {
                p.addi(v);
            }
        }

        @Override
        void close() {
            Nd4jUpdater.close(vw, vb);
        }

        @Override
        OptimizerState export(Layout layout) {
            return OptimizerState.of("sgd", 0, java.util.Map.of("velocity", flatten(layout, vw, vb)));
        }

        @Override
        void load(OptimizerState state, Layout layout) {
            state.check("sgd", java.util.Set.of("velocity"), layout.parameterCount());
            unflatten(layout, state.slot("velocity"), vw, vb);
        }
    }

    /** Keras 3's Adam, operation for operation. */
    static final class Adam extends Nd4jUpdater {
        private final Optimizer.Adam config;
        private double lr;
        private final INDArray[] mw;
        private final INDArray[] mb;
        private final INDArray[] vw;
        private final INDArray[] vb;
        private long step;

        Adam(Optimizer.Adam config, INDArray[] w, INDArray[] b) {
            this.config = config;
            this.lr = config.learningRate();
            this.mw = zerosLike(w);
            this.mb = zerosLike(b);
            this.vw = zerosLike(w);
            this.vb = zerosLike(b);
        }

        @Override
        void update(INDArray[] w, INDArray[] b, INDArray[] gw, INDArray[] gb) {
            step++;
            double alpha = lr * Math.sqrt(1 - Math.pow(config.beta2(), step))
                    / (1 - Math.pow(config.beta1(), step));
            for (int l = 0; l < w.length; l++) {
                step(w[l], gw[l], mw[l], vw[l], alpha);
                step(b[l], gb[l], mb[l], vb[l], alpha);
            }
        }

        private void step(INDArray p, INDArray g, INDArray m, INDArray v, double alpha) {
            m.addi(g.sub(m).muli(1 - config.beta1()));
            v.addi(g.muli(g).subi(v).muli(1 - config.beta2()));
            INDArray denominator = Transforms.sqrt(v, true).addi(config.epsilon());
            p.subi(m.mul(alpha).divi(denominator));
        }

        @Override
        void setLearningRate(double learningRate) {
            this.lr = learningRate;
        }

        @Override
        void close() {
            Nd4jUpdater.close(mw, mb, vw, vb);
        }

        @Override
        OptimizerState export(Layout layout) {
            java.util.Map<String, float[]> slots = new java.util.LinkedHashMap<>();
            slots.put("m", flatten(layout, mw, mb));
            slots.put("v", flatten(layout, vw, vb));
            return OptimizerState.of("adam", step, slots);
        }

        @Override
        void load(OptimizerState state, Layout layout) {
            state.check("adam", java.util.Set.of("m", "v"), layout.parameterCount());
            unflatten(layout, state.slot("m"), mw, mb);
            unflatten(layout, state.slot("v"), vw, vb);
            step = state.step();
        }
    }
}
