package io.epochflux.train;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest {

    private static EpochMetrics epoch(int n, double loss, double valLoss) {
        return EpochMetrics.of(n, Map.of("loss", loss, "val_loss", valLoss), () -> { })
                .withDuration(Duration.ofMillis(n));
    }

    @Test
    void collectsEpochsAndTheStopReportWithoutSnapshots() {
        StopReport report = StopReport.builder(StopReason.PATIENCE_EXHAUSTED, 3).rule("r").build();
        History h = Flux.just(epoch(1, 0.9, 1.0), epoch(2, 0.8, Double.NaN), epoch(3, 0.7, 1.2).withStop(report))
                .as(History::collect).block();
        assertEquals(3, h.size());
        assertEquals(report, h.stop().orElseThrow());
        assertTrue(h.epochs().stream().allMatch(m -> m.snapshot().isEmpty()), "snapshots are dropped");
        assertArrayEquals(new double[] {0.9, 0.8, 0.7}, h.series("loss"));
        assertArrayEquals(new int[] {1, 2, 3}, h.epochNumbers());
        assertEquals(1, h.argMin("val_loss").orElseThrow(), "NaN never counts");
        assertEquals(3, h.argMax("val_loss").orElseThrow());
        assertTrue(h.argMin("accuracy").isEmpty());
        assertEquals(Duration.ofMillis(6), h.trainingTime());
        assertEquals(List.of("loss", "val_loss"), List.copyOf(h.metricNames()).stream().sorted().toList());
    }

    @Test
    void anErrorFailsTheCollection() {
        var mono = Flux.just(epoch(1, 1, 1)).concatWith(Flux.error(new IllegalStateException("x"))).as(History::collect);
        assertEquals("x", org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, mono::block).getMessage());
    }
}
