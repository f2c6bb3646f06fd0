package io.epochflux.train;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded pools of training threads, as Reactor {@link Scheduler}s.
 *
 * <p>A run trains in tasks of a few milliseconds: when it has demand it submits a task to its
 * scheduler, which trains epochs back to back for up to 5 ms (at least one), and when that task is
 * done it submits the next one behind whatever other runs queued meanwhile. So runs sharing a pool
 * take turns every few milliseconds (every epoch, when epochs are longer), a run whose subscriber has
 * not requested holds no thread, and 100 subscribed runs on a pool of two use two threads. The
 * pool's queue is first-in first-out and shared by its threads: any free thread takes the oldest
 * waiting epoch.
 *
 * <p>By default every {@link Trainer} uses {@link #shared()}, one pool per JVM sized by the
 * system property {@value #SIZE_PROPERTY} (default: the number of available processors). Its
 * threads are daemons, created when first needed, and never shut down by the library: like
 * {@code Schedulers.parallel()}, it is meant to be shared. A service that wants its own bound
 * passes {@link #create(String, int)}'s scheduler to {@link Trainer.Builder#scheduler} and disposes
 * it when done; any other {@link Scheduler} works too.
 *
 * <p>Threads and BLAS: a run whose layers are large enough for BLAS (see
 * {@code Sequential.kernelFor}) may use several native BLAS threads inside one epoch
 * ({@code OMP_NUM_THREADS}). Keep {@code pool size x OMP_NUM_THREADS} within the cores: with the
 * default pool (one thread a core), run with {@code OMP_NUM_THREADS=1}, or give large-layer runs a
 * pool of {@code cores / OMP_NUM_THREADS} threads. The seed workload's layers never use BLAS.
 */
public final class TrainingPool {

    /** The system property that sizes the shared pool. */
    public static final String SIZE_PROPERTY = "epochflux.pool.size";

    private TrainingPool() {
    }

    private static final class Shared {
        static final Scheduler INSTANCE = Schedulers.fromExecutorService(executor("epochflux-train", sharedSize()),
                "epochflux-train");
    }

    /**
     * Returns the pool every trainer uses unless told otherwise.
     *
     * @return a scheduler over {@link #sharedSize()} daemon threads named {@code epochflux-train-N}
     */
    public static Scheduler shared() {
        return Shared.INSTANCE;
    }

    /**
     * Returns the size of the shared pool: the system property {@value #SIZE_PROPERTY} when set,
     * else the number of available processors.
     *
     * @return threads, {@code >= 1}
     * @throws IllegalArgumentException when the property is set to something other than a positive integer
     */
    public static int sharedSize() {
        String value = System.getProperty(SIZE_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        int size;
        try {
            size = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            size = 0;
        }
        if (size < 1) {
            throw new IllegalArgumentException("system property " + SIZE_PROPERTY + " must be an integer >= 1, but was '"
                    + value + "'");
        }
        return size;
    }

    /**
     * Creates a pool the caller owns: dispose the scheduler when no run uses it any more.
     *
     * @param name the threads' name prefix
     * @param threads how many epochs may train at once, {@code >= 1}
     * @return a scheduler over that many daemon threads
     */
    public static Scheduler create(String name, int threads) {
        java.util.Objects.requireNonNull(name, "name");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, but was " + threads);
        }
        return Schedulers.fromExecutorService(executor(name, threads), name);
    }

    private static ScheduledThreadPoolExecutor executor(String name, int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        // One queue for all threads, first in first out for tasks submitted without delay: runs
        // take turns. (A ScheduledThreadPoolExecutor also keeps Reactor's BlockHound integration
        // content: submitting to its queue from an event loop is a known non-blocking call.)
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, factory);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
