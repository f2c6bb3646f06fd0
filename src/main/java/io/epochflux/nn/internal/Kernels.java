package io.epochflux.nn.internal;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Locale;

/**
 * Chooses the kernel for a network and batch size: the fused heap kernel where ND4J's fixed
 * per-call cost would exceed the arithmetic of a batch, ND4J above that; and, inside the heap
 * kernel, the Vector API where the JVM offers it, plain loops otherwise.
 *
 * <p>The system property {@value #PROPERTY} overrides the choice, for benchmarks and tests:
 * {@code auto} (the default), {@code heap}, {@code scalar}, {@code vector} or {@code nd4j}.
 */
public final class Kernels {

    /** The system property that overrides the choice. */
    public static final String PROPERTY = "epochflux.kernel";

    /**
     * Above this many multiply-adds per batch's forward pass, BLAS wins: ND4J's ~10 us per call
     * and ~20 calls per step are then a small part of the step.
     */
    static final long ND4J_THRESHOLD = 1L << 21;

    private static final FloatOps BEST = loadBest(vectorModulePresent());

    private Kernels() {
    }

    /** @return whether the {@code jdk.incubator.vector} module is in this JVM's boot layer */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * Picks the fastest loops this JVM can run.
     *
     * @param vectorModule whether {@code jdk.incubator.vector} is present
     * @return the Vector API loops when the module is present and loads, plain loops otherwise
     */
    static FloatOps loadBest(boolean vectorModule) {
        if (!vectorModule) {
            return ScalarFloatOps.INSTANCE;
        }
        try {
            // loaded by name: linking it without the module present would fail
            Class<?> type = Class.forName("io.epochflux.nn.internal.VectorFloatOps");
            return (FloatOps) type.getField("INSTANCE").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return ScalarFloatOps.INSTANCE;
        }
    }

    /** @return the loops the heap kernel uses in this JVM */
    public static FloatOps floatOps() {
        return switch (override()) {
            case "scalar" -> ScalarFloatOps.INSTANCE;
            default -> BEST;
        };
    }

    private static String override() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto", "heap", "scalar", "vector", "nd4j" -> value;
            default -> throw new IllegalArgumentException("system property " + PROPERTY
                    + " must be one of auto, heap, scalar, vector, nd4j, but was '" + value + "'");
        };
    }

    /**
     * Tells whether a batch of this size is better served by the heap kernel.
     *
     * @param layout the network
     * @param rows examples per batch
     * @return true for the heap kernel, false for ND4J
     */
    public static boolean preferHeap(Layout layout, int rows) {
        return switch (override()) {
            case "heap", "scalar", "vector" -> true;
            case "nd4j" -> false;
            default -> (long) rows * layout.multiplyAddsPerExample() < ND4J_THRESHOLD;
        };
    }

    /**
     * Makes a kernel to train a network.
     *
     * @param layout the network
     * @param params the live parameters: the heap kernel trains them in place, ND4J copies them
     * @param optimizer the update rule, with fresh state
     * @param batchSize the batch size
     * @return the kernel
     */
    public static Kernel forTraining(Layout layout, float[] params, Optimizer optimizer, int batchSize) {
        if (preferHeap(layout, batchSize)) {
            return new HeapKernel(layout, params, floatOps(), optimizer, batchSize);
        }
        return new Nd4jKernel(layout, params, DataType.FLOAT, optimizer, batchSize);
    }

    /**
     * Makes a kernel to evaluate or predict.
     *
     * @param layout the network
     * @param params the parameters; the heap kernel reads them in place
     * @param batchSize rows per forward pass
     * @return the kernel
     */
    public static Kernel forInference(Layout layout, float[] params, int batchSize) {
        if (preferHeap(layout, batchSize)) {
            return new HeapKernel(layout, params, floatOps(), null, batchSize);
        }
        return new Nd4jKernel(layout, params, DataType.FLOAT, null, batchSize);
    }

    /**
     * Checks that a dataset fits a network.
     *
     * @param layout the network
     * @param dataset the data
     */
    public static void checkShape(Layout layout, Dataset dataset) {
        if (dataset.featureCount() != layout.inputs()) {
            throw new IllegalArgumentException("the data must have as many features as the network has inputs ("
                    + layout.inputs() + "), but " + dataset.name() + " has " + dataset.featureCount());
        }
        if (dataset.labelCount() != layout.outputs()) {
            throw new IllegalArgumentException("the data must have as many targets as the network has outputs ("
                    + layout.outputs() + "), but " + dataset.name() + " has " + dataset.labelCount());
        }
    }
}
