package io.epochflux.nn.internal;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Locale;

/**
 * Chooses the arithmetic for a network and batch size. Training runs in the fused heap kernel:
 * the Vector API's loops where the JVM offers the module, plain loops otherwise; and a layer whose
 * matrix products are large enough for BLAS to pay off has them done by ND4J's {@code gemm}
 * ({@link BlasFloatOps}), while everything around them stays fused, since ND4J's cost per
 * operation (about 10 us) exceeds the arithmetic of a small layer's every step.
 *
 * <p>The system property {@value #PROPERTY} overrides the choice, for benchmarks and tests:
 * {@code auto} (the default), {@code heap} (no BLAS), {@code scalar} (plain loops, no BLAS),
 * {@code vector} or {@code nd4j} (the all-ND4J reference kernel, {@link Nd4jKernel}).
 *
 * <p>BLAS threads: {@link #blasThreads} derives them from the network's largest product and the
 * machine's processors, and the system property {@value #THREADS_PROPERTY} overrides that (the
 * command line's {@code --threads}).
 */
public final class Kernels {

    /** The system property that overrides the choice. */
    public static final String PROPERTY = "epochflux.kernel";

    /** The system property that sets the BLAS thread count of the products BLAS does. */
    public static final String THREADS_PROPERTY = "epochflux.threads";

    /**
     * Multiply-adds of the largest product per BLAS thread beyond the first: a smaller share costs
     * more in OpenBLAS's hand-offs than the thread gives (measured on 2 vCPUs: the 128-wide products
     * of the large workload ran at 28 GFLOP/s on two threads against 61 on one).
     */
    static final long MACS_PER_THREAD = 1L << 23;

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
     * Tells whether one product goes to BLAS.
     *
     * @param multiplyAdds the product's multiply-adds: rows x units x fan-in
     * @return true when it reaches the threshold above which BLAS pays off
     */
    public static boolean onBlas(long multiplyAdds) {
        return multiplyAdds >= BlasFloatOps.THRESHOLD;
    }

    /**
     * Tells whether a batch of this size has a matrix product large enough for BLAS to pay off.
     *
     * @param layout the network
     * @param rows examples per batch
     * @return true when some layer's product reaches {@link BlasFloatOps#THRESHOLD}
     */
    public static boolean needsBlas(Layout layout, int rows) {
        for (int l = 0; l < layout.layers(); l++) {
            if ((long) rows * layout.units(l) * layout.fanIn(l) >= BlasFloatOps.THRESHOLD) {
                return true;
            }
        }
        return false;
    }

    /**
     * Names the kernel {@link #forTraining} makes for this network and batch size.
     *
     * @param layout the network
     * @param batchSize examples per batch
     * @return {@code heap/vector-512}, {@code heap/scalar+blas}, {@code nd4j/FLOAT}, ...
     */
    public static String describe(Layout layout, int batchSize) {
        return switch (override()) {
            case "nd4j" -> "nd4j/FLOAT";
            case "heap", "scalar", "vector" -> "heap/" + floatOps().name();
            default -> "heap/" + floatOps().name() + (needsBlas(layout, batchSize) ? "+blas" : "");
        };
    }

    private static FloatOps opsFor(Layout layout, int batchSize) {
        FloatOps loops = floatOps();
        return override().equals("auto") && needsBlas(layout, batchSize)
                ? new BlasFloatOps(loops, blasThreads(layout, batchSize)) : loops;
    }

    /**
     * The BLAS threads for a network's products at a batch size on this machine: the system
     * property {@value #THREADS_PROPERTY} when set, else {@link #defaultBlasThreads}. The kernel
     * sets this count on the thread that multiplies, each time that thread changes (OpenBLAS keeps
     * one count per process).
     *
     * @param layout the network
     * @param batchSize examples per batch
     * @return threads, {@code >= 1}; 1 when no product is large enough for BLAS
     * @throws IllegalArgumentException when the property is set to something other than a positive integer
     */
    public static int blasThreads(Layout layout, int batchSize) {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value != null && !value.isBlank()) {
            int threads;
            try {
                threads = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                threads = 0;
            }
            if (threads < 1) {
                throw new IllegalArgumentException("system property " + THREADS_PROPERTY
                        + " must be an integer >= 1, but was '" + value + "'");
            }
            return threads;
        }
        long largest = 0;
        for (int l = 0; l < layout.layers(); l++) {
            largest = Math.max(largest, (long) batchSize * layout.units(l) * layout.fanIn(l));
        }
        return defaultBlasThreads(largest, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The thread count that is fastest for a product size on a machine, as a rule that gives the same
     * answer for the same shapes and processors. One thread when the product stays in heap loops,
     * or when the machine has two processors or fewer: measured on 2 vCPUs, a second BLAS thread made
     * the large workload's epoch 40% slower (the two vCPUs give about 1.1x for two busy threads, less
     * than OpenBLAS's hand-offs cost). On more processors, half of them (hyperthreads share a core's
     * multiply-add units), and no more than one per {@link #MACS_PER_THREAD} multiply-adds of the
     * largest product; this part is a rule of thumb, not measured here.
     *
     * @param largestProduct multiply-adds of the network's largest product at its batch size
     * @param processors available processors
     * @return threads, {@code >= 1}
     */
    static int defaultBlasThreads(long largestProduct, int processors) {
        if (largestProduct < BlasFloatOps.THRESHOLD || processors <= 2) {
            return 1;
        }
        long bySize = Math.max(1, largestProduct / MACS_PER_THREAD);
        return (int) Math.max(1, Math.min(processors / 2, bySize));
    }

    /**
     * Makes a kernel to train a network: the fused heap kernel, with large matrix products on
     * BLAS; or, when the system property says {@code nd4j}, the all-ND4J reference kernel.
     *
     * @param layout the network
     * @param params the live parameters: the heap kernel trains them in place, ND4J copies them
     * @param optimizer the update rule, with fresh state
     * @param batchSize the batch size
     * @return the kernel
     */
    public static Kernel forTraining(Layout layout, float[] params, Optimizer optimizer, int batchSize) {
        if (override().equals("nd4j")) {
            return new Nd4jKernel(layout, params, DataType.FLOAT, optimizer, batchSize);
        }
        return new HeapKernel(layout, params, opsFor(layout, batchSize), optimizer, batchSize);
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
        if (override().equals("nd4j")) {
            return new Nd4jKernel(layout, params, DataType.FLOAT, null, batchSize);
        }
        return new HeapKernel(layout, params, opsFor(layout, batchSize), null, batchSize);
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
