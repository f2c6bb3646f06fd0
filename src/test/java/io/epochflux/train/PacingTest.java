package io.epochflux.train;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PacingTest {

    private static EpochMetrics epoch(int n, long millis) {
        return EpochMetrics.of(n, Map.of("loss", 1.0 / n)).withDuration(Duration.ofMillis(millis));
    }

    @Test
    void emitsAnEpochAtOnceAndRequestsTheNextOnlyOnceTheMinimumHasPassed() {
        TestPublisher<EpochMetrics> upstream = TestPublisher.createCold();
        AtomicLong requested = new AtomicLong();
        StepVerifier.withVirtualTime(() -> upstream.flux().doOnRequest(requested::addAndGet)
                        .transform(Pacing.atLeast(Duration.ofMillis(200))))
                .then(() -> assertEquals(1, requested.get(), "one epoch at a time"))
                .then(() -> upstream.next(epoch(1, 3)))
                .expectNextMatches(e -> e.epoch() == 1)          // passed on at once, not held back
                .thenAwait(Duration.ofMillis(196))
                .then(() -> assertEquals(1, requested.get(), "no request before the minimum has passed"))
                .thenAwait(Duration.ofMillis(1))
                .then(() -> assertEquals(2, requested.get(), "the next epoch is asked for after 197 ms"))
                .then(() -> upstream.next(epoch(2, 500)))        // a long epoch: no wait after it
                .expectNextMatches(e -> e.epoch() == 2)
                .then(() -> assertEquals(3, requested.get()))
                .then(upstream::complete)
                .verifyComplete();
    }
}
