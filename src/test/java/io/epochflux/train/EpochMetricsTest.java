package io.epochflux.train;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EpochMetricsTest {

    @Test
    void isAnImmutableValueThatKeepsOrderAndNaN() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("val_loss", Double.NaN);
        values.put("loss", 1.5);
        EpochMetrics m = EpochMetrics.of(3, values);
        values.put("extra", 1.0);
        assertEquals(2, m.values().size());
        assertEquals("val_loss", m.values().keySet().iterator().next());
        assertTrue(Double.isNaN(m.value("val_loss").orElseThrow()));
        assertTrue(m.value("accuracy").isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> m.values().put("x", 1.0));
        assertEquals(m, EpochMetrics.of(3, Map.of("val_loss", Double.NaN, "loss", 1.5)), "NaN equals NaN in a value");
    }

    @Test
    void rejectsBadArgumentsNamingTheRule() {
        assertEquals("epoch must be >= 1, but was 0",
                assertThrows(IllegalArgumentException.class, () -> EpochMetrics.of(0, Map.of())).getMessage());
        assertThrows(NullPointerException.class, () -> EpochMetrics.of(1, null));
        assertThrows(NullPointerException.class, () -> EpochMetrics.of(1, Map.of(), null));
        assertEquals("duration must not be negative, but was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> EpochMetrics.of(1, Map.of()).withDuration(Duration.ofSeconds(-1))).getMessage());
        assertEquals("name must be UPPER_SNAKE_CASE (a capital letter, then capitals, digits or underscores), but was 'slow'",
                assertThrows(IllegalArgumentException.class, () -> StopReason.of("slow")).getMessage());
    }

    @Test
    void equalityIgnoresTheSnapshotButNotTheStop() {
        EpochMetrics a = EpochMetrics.of(1, Map.of("loss", 1.0), () -> { });
        EpochMetrics b = EpochMetrics.of(1, Map.of("loss", 1.0));
        assertEquals(a, b);
        StopReport r = StopReport.builder(StopReason.MAX_EPOCHS, 1).build();
        assertTrue(!a.withStop(r).equals(b));
        assertEquals(r, a.withStop(r).stop().orElseThrow());
        assertTrue(a.withStop(r).snapshot().isPresent(), "withStop keeps the snapshot");
    }
}
