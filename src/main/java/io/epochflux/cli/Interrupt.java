package io.epochflux.cli;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (or SIGTERM) while a command runs: the signal ends the training streams cleanly, and the
 * JVM's exit waits until the command has written what it has.
 */
final class Interrupt implements AutoCloseable {

    private static final long WRITE_GRACE_SECONDS = 60;

    private final Sinks.Empty<Void> signal = Sinks.empty();
    private final CountDownLatch fired = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onSignal, "epochflux-interrupt");

    Interrupt() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void onSignal() {
        fired.countDown();
        signal.tryEmitEmpty();
        try {
            finished.await(WRITE_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return completes when the user interrupts */
    Mono<Void> signal() {
        return signal.asMono();
    }

    /** @return whether the user interrupted */
    boolean fired() {
        return fired.getCount() == 0;
    }

    /** Waits until the user interrupts. */
    void await() throws InterruptedException {
        fired.await();
    }

    /** The command has written its files: a pending exit may go on. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it is waiting for the countDown above
        }
    }
}
