package io.epochflux.nn.internal;

import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelsTest {

    private static final Layout SEED = new Layout(784, new int[] {2, 10},
            new Activation[] {Activation.RELU, Activation.SOFTMAX}, Loss.CATEGORICAL_CROSSENTROPY);
    private static final Layout LARGE = new Layout(784, new int[] {256, 128, 10},
            new Activation[] {Activation.RELU, Activation.RELU, Activation.SOFTMAX}, Loss.CATEGORICAL_CROSSENTROPY);

    @AfterEach
    void clearOverride() {
        System.clearProperty(Kernels.PROPERTY);
        System.clearProperty(Kernels.THREADS_PROPERTY);
    }

    @Test
    void blasThreadsFollowTheShapesAndTheMachine() {
        long largeWorkload = 128L * 256 * 784; // the largest product of 784-256-128-10 at batch 128
        assertEquals(1, Kernels.defaultBlasThreads(largeWorkload, 2), "two processors: one thread");
        assertEquals(1, Kernels.defaultBlasThreads(largeWorkload, 1));
        assertEquals(1, Kernels.defaultBlasThreads(BlasFloatOps.THRESHOLD - 1, 64), "heap loops only: one thread");
        assertEquals(3, Kernels.defaultBlasThreads(largeWorkload, 16), "one per 8M multiply-adds");
        assertEquals(4, Kernels.defaultBlasThreads(1L << 40, 8), "at most half the processors");
        assertEquals(1, Kernels.blasThreads(SEED, 10));
        assertEquals(Kernels.defaultBlasThreads(largeWorkload, Runtime.getRuntime().availableProcessors()),
                Kernels.blasThreads(LARGE, 128), "the same answer for the same shapes on the same machine");
    }

    @Test
    void thePropertyOverridesTheBlasThreads() {
        System.setProperty(Kernels.THREADS_PROPERTY, "3");
        assertEquals(3, Kernels.blasThreads(LARGE, 128));
        System.setProperty(Kernels.THREADS_PROPERTY, "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.blasThreads(LARGE, 128));
        assertEquals("system property epochflux.threads must be an integer >= 1, but was '0'", e.getMessage());
    }

    @Test
    void usesTheVectorApiWhenTheModuleIsPresentAndPlainLoopsOtherwise() {
        assertTrue(Kernels.vectorModulePresent(), "tests run with --add-modules jdk.incubator.vector");
        assertTrue(Kernels.loadBest(true).name().startsWith("vector-"));
        assertEquals("scalar", Kernels.loadBest(false).name());
        assertTrue(Kernels.floatOps().name().startsWith("vector-"));
    }

    @Test
    void smallProductsStayInHeapLoopsLargeOnesGoToBlas() {
        assertFalse(Kernels.needsBlas(SEED, 10));
        assertTrue(Kernels.needsBlas(LARGE, 128));
        assertTrue(Kernels.describe(SEED, 10).matches("heap/vector-\\d+"), Kernels.describe(SEED, 10));
        assertTrue(Kernels.describe(LARGE, 128).matches("heap/vector-\\d+\\+blas"), Kernels.describe(LARGE, 128));
        try (Kernel k = Kernels.forTraining(LARGE, new float[LARGE.parameterCount()], io.epochflux.nn.Optimizer.adam(), 128)) {
            assertEquals(Kernels.describe(LARGE, 128), k.name());
        }
    }

    @Test
    void theSystemPropertyOverridesTheChoice() {
        System.setProperty(Kernels.PROPERTY, "nd4j");
        assertEquals("nd4j/FLOAT", Kernels.describe(SEED, 10));
        try (Kernel k = Kernels.forTraining(SEED, new float[SEED.parameterCount()], io.epochflux.nn.Optimizer.sgd(), 10)) {
            assertEquals("nd4j/FLOAT", k.name());
        }
        System.setProperty(Kernels.PROPERTY, "scalar");
        assertEquals("heap/scalar", Kernels.describe(LARGE, 128), "no BLAS when forced onto plain loops");
        assertEquals("scalar", Kernels.floatOps().name());
        System.setProperty(Kernels.PROPERTY, "fast");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.describe(SEED, 10));
        assertTrue(e.getMessage().contains("must be one of auto, heap, scalar, vector, nd4j, but was 'fast'"));
    }

    @Test
    void layoutCountsParametersAndWork() {
        assertEquals(784 * 2 + 2 + 2 * 10 + 10, SEED.parameterCount());
        assertEquals(784 * 2 + 2 * 10, SEED.multiplyAddsPerExample());
        assertEquals(0, SEED.weightOffset(0));
        assertEquals(1568, SEED.biasOffset(0));
        assertEquals(1570, SEED.weightOffset(1));
        assertEquals("784-2(relu)-10(softmax)", SEED.describe());
    }
}
