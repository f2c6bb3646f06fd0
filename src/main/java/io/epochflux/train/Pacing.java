package io.epochflux.train;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Slows a training stream to at most one epoch per {@code minimum}, through demand: each epoch
 * passes on as soon as it is trained, and the next one is requested only once the minimum has
 * passed since this one started, so training itself never sleeps and never runs ahead (no epoch is
 * trained and then held back: a stream cancelled while it waits has emitted every epoch the model
 * holds). For demos, where epochs of a few milliseconds would otherwise fall between two
 * Prometheus scrapes.
 *
 * <pre>
 *   upstream:  -[e1 3ms]                  -[e2 3ms]
 *   paced:     ---e1 (wait 197ms, request)---e2 (wait 197ms, request) ...
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
        // each epoch goes on at once; its inner stream then waits out the rest of the minimum before
        // completing, and with prefetch 0 the next epoch is requested only then: no epoch is ever
        // trained and held back, so what was emitted is what the model holds
        return epochs.concatMap(m -> {
            Duration rest = minimum.minus(m.duration());
            return rest.isNegative() || rest.isZero() ? Mono.just(m)
                    : Mono.just(m).concatWith(Mono.delay(rest).then(Mono.<EpochMetrics>empty()));
        }, 0);
    }

    @Override
    public String toString() {
        return "Pacing.atLeast(" + minimum + ")";
    }
}
