package io.epochflux.sweep;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sweep's concurrency bound: how many trials may be training (asking for epochs) at once. A
 * trial holds a permit while it trains and gives it back while it waits for a rung, so a rung can
 * fill at any bound. Waiting for a permit is a pending {@link Mono}, never a blocked thread; permits
 * go out first come, first served. Lock-free: a cancel may come from any thread.
 */
final class Permits {

    private final AtomicInteger available;
    private final Queue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();

    private static final class Waiter {
        final MonoSink<Void> sink;
        final AtomicBoolean cancelled = new AtomicBoolean();

        Waiter(MonoSink<Void> sink) {
            this.sink = sink;
        }
    }

    Permits(int count) {
        this.available = new AtomicInteger(count);
    }

    /** @return a Mono that completes when a permit is this subscriber's */
    Mono<Void> acquire() {
        return Mono.create(sink -> {
            Waiter w = new Waiter(sink);
            sink.onCancel(() -> {
                if (!w.cancelled.compareAndSet(false, true)) {
                    // it was granted the permit just before the cancel: give it back
                    release();
                }
            });
            queue.add(w);
            drain();
        });
    }

    void release() {
        available.incrementAndGet();
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (available.get() > 0) {
                Waiter w = queue.poll();
                if (w == null) {
                    break;
                }
                if (w.cancelled.compareAndSet(false, true)) {
                    available.decrementAndGet();
                    w.sink.success();
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** One trial's hold on a permit: given back at most once per take. */
    final class Ticket {
        private final AtomicBoolean held = new AtomicBoolean(true);

        void release() {
            if (held.compareAndSet(true, false)) {
                Permits.this.release();
            }
        }

        Mono<Void> reacquire() {
            return acquire().doOnSuccess(v -> held.set(true));
        }
    }

    Mono<Ticket> ticket() {
        return acquire().then(Mono.fromSupplier(Ticket::new));
    }
}
