package io.epochflux.train;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A scheduler whose tasks run only when the test says, on the test's thread: what a run has
 * scheduled is visible ({@link #pending()}), and "nothing more happens" is an empty queue after
 * {@link #drain()}, not a wait on the clock.
 */
final class ManualScheduler {

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Scheduler scheduler = Schedulers.fromExecutor(tasks::add);

    Scheduler scheduler() {
        return scheduler;
    }

    /** @return tasks scheduled and not yet run */
    int pending() {
        return tasks.size();
    }

    /**
     * Runs tasks, those they schedule included, until none is left.
     *
     * @return how many ran
     */
    int drain() {
        int ran = 0;
        for (Runnable r; (r = tasks.poll()) != null; ) {
            r.run();
            ran++;
        }
        return ran;
    }
}
