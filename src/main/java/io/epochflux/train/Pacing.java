package io.epochflux.train;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Slows a training stream to at most one epoch per {@code minimum}, through demand: each epoch is
 * held until its minimum has passed, and the next one is only requested after that, so training
 * itself never sleeps and never runs ahead. For demos, where epochs of a few milliseconds would
 * otherwise fall between two Prometheus scrapes.
 *
 * <pre>
 *   upstream:  -[e1 3ms]                 -[e2 3ms]
 *   paced:     ------------e1 (200ms)----------------e2 (200ms)
 * </pre>
 */
public final class Pacing implements Function<Flux<EpochMetrics>, Flux<EpochMetrics>> {

    private final Duration minimum;

    private Pacing(Duration minimum) {
        this.minimum = minimum;
    }

    /**
     * Paces a stream to epochs of at least {@code minimum}, measured by each epoch's own
     * duration.
     *
     * @param minimum the least time between two epochs, not negative
     * @return the operator
     */
    public static Pacing atLeast(Duration minimum) {
        Objects.requireNonNull(minimum, "minimum");
        if (minimum.isNegative()) {
            throw new IllegalArgumentException("minimum must not be negative, but was " + minimum);
        }
        return new Pacing(minimum);
    }

    @Override
    public Flux<EpochMetrics> apply(Flux<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        if (minimum.isZero()) {
            return epochs;
        }
        // prefetch 0: the next epoch is requested only once this one has been emitted
        return epochs.concatMap(m -> {
            Duration rest = minimum.minus(m.duration());
            return rest.isNegative() || rest.isZero() ? Mono.just(m) : Mono.just(m).delayElement(rest);
        }, 0);
    }

    @Override
    public String toString() {
        return "Pacing.atLeast(" + minimum + ")";
    }
}
