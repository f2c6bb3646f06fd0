package io.epochflux.nn.internal;

import io.epochflux.TestData;
import io.epochflux.data.Dataset;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.OptimizerState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A kernel given another kernel's weights and optimizer state continues with exactly the updates
 * the other makes, on both kernels and every optimizer.
 */
class OptimizerStateTest {

    private static final Layout LAYOUT = new Layout(784, new int[] {4, 10},
            new Activation[] {Activation.RELU, Activation.SOFTMAX}, Loss.CATEGORICAL_CROSSENTROPY);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("sgd", Optimizer.sgd(0.01)),
                Arguments.of("momentum", Optimizer.sgd(0.01, 0.9, false)),
                Arguments.of("nesterov", Optimizer.sgd(0.01, 0.9, true)),
                Arguments.of("adam", Optimizer.adam()));
    }

    private static float[] initial() {
        SplittableRandom r = new SplittableRandom(5);
        float[] p = new float[LAYOUT.parameterCount()];
        for (int k = 0; k < p.length; k++) {
            p[k] = (float) r.nextDouble(-0.1, 0.1);
        }
        return p;
    }

    private static void train(Kernel kernel, Kernel.Data data, int[] order, int batches) {
        for (int i = 0; i < batches; i++) {
            kernel.trainBatch(data, order, i * 10, i * 10 + 10, new Tally());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aKernelGivenTheStateContinuesExactly(String name, Optimizer optimizer) {
        Dataset train = TestData.sample().slice(0, 200);
        int[] order = new int[200];
        for (int i = 0; i < order.length; i++) {
            order[i] = (i * 37) % 200;
        }
        Supplier<HeapKernel> heap = () -> new HeapKernel(LAYOUT, initial(), ScalarFloatOps.INSTANCE, optimizer, 10);
        Supplier<Nd4jKernel> nd4j = () -> new Nd4jKernel(LAYOUT, initial(), DataType.FLOAT, optimizer, 10);
        for (Supplier<? extends Kernel> make : java.util.List.<Supplier<? extends Kernel>>of(heap, nd4j)) {
            try (Kernel a = make.get(); Kernel b = make.get()) {
                Kernel.Data da = a.prepare(train);
                Kernel.Data db = b.prepare(train);
                train(a, da, order, 7);
                OptimizerState state = a.exportOptimizerState();
                assertEquals(optimizer.name(), state.optimizer());
                if (!name.equals("sgd")) {
                    assertNotEquals(0f, state.slot(state.slotNames().iterator().next())[LAYOUT.biasOffset(1)],
                            "the state moved");
                }
                float[] weights = new float[LAYOUT.parameterCount()];
                a.readParameters(weights);
                b.writeParameters(weights);
                b.importOptimizerState(state);
                assertEquals(state, b.exportOptimizerState(), a.name());
                train(a, da, order, 8);
                train(b, db, order, 8);
                float[] wa = new float[weights.length];
                float[] wb = new float[weights.length];
                a.readParameters(wa);
                b.readParameters(wb);
                assertArrayEquals(wa, wb, a.name() + " " + name);
                assertEquals(a.exportOptimizerState(), b.exportOptimizerState(), a.name());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aStateOfAnotherOptimizerOrShapeIsRefused(String name, Optimizer optimizer) {
        try (HeapKernel k = new HeapKernel(LAYOUT, initial(), ScalarFloatOps.INSTANCE, optimizer, 10)) {
            OptimizerState other = OptimizerState.of(name.equals("adam") ? "sgd" : "adam", 0, java.util.Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.importOptimizerState(other));
            assertEquals("optimizer state must be of " + optimizer.name() + ", but was of " + other.optimizer(), e.getMessage());
        }
    }
}
