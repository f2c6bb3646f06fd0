package io.epochflux.spring;

import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ends the application's runs when it shuts down, before its web server stops: every run is
 * cancelled (each stops within a batch), every viewer is sent its final {@code stop} and
 * {@code end} events, and new runs are refused. The web server's graceful shutdown then finds the
 * event streams finished instead of waiting its whole grace period for streams that never end.
 *
 * <p>Its {@linkplain #getPhase() phase} is {@value #PHASE}: above Boot's graceful web server
 * shutdown ({@code Integer.MAX_VALUE - 1024}), so it stops first. Stopping waits for the runs
 * without holding a thread, up to {@code epochflux.shutdown-timeout}.
 */
public final class EpochfluxLifecycle implements SmartLifecycle {

    /** Stops before Boot's graceful web server shutdown, whose phase is {@code Integer.MAX_VALUE - 1024}. */
    public static final int PHASE = Integer.MAX_VALUE - 512;

    private final EpochfluxRuns runs;
    private final Duration timeout;
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * Makes the lifecycle of a set of runs.
     *
     * @param runs the runs to end at shutdown
     * @param timeout how long to wait for them, {@code >= 0}
     */
    public EpochfluxLifecycle(EpochfluxRuns runs, Duration timeout) {
        this.runs = Objects.requireNonNull(runs, "runs");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public void start() {
        running.set(true);
    }

    @Override
    public void stop() {
        // the synchronous form, for a context stopped by hand: waits here, on the caller's thread
        ended().block();
    }

    @Override
    public void stop(Runnable callback) {
        ended().subscribe(null, e -> callback.run(), callback);
    }

    private Mono<Void> ended() {
        running.set(false);
        // runs that do not end in time are abandoned with the process
        return runs.close().timeout(timeout, Mono.empty());
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
